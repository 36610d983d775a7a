// What HubSpot passes to the record tab and sidebar cards (via hubspot.extend), narrowed to what
// the cards use so both locations' actions fit.
import type { CrmContext, ExtensionPointApiActions } from '@hubspot/ui-extensions';

export type CardActions = Pick<ExtensionPointApiActions<'crm.record.tab'>, 'addAlert' | 'refreshObjectProperties' | 'copyTextToClipboard'>;

export interface CardProps {
  context: CrmContext;
  actions: CardActions;
}

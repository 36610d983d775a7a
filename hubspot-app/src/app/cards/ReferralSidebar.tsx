// Entry point of the compact sidebar card (referral-sidebar-hsmeta.json).
import { hubspot } from '@hubspot/ui-extensions';
import { ReferralSidebarCard } from './components/ReferralSidebarCard.tsx';

hubspot.extend<'crm.record.sidebar'>(({ context, actions }) => <ReferralSidebarCard context={context} actions={actions} />);

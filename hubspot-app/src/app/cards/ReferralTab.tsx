// Entry point of the "Referrals" record tab (referral-card-hsmeta.json).
import { hubspot } from '@hubspot/ui-extensions';
import { ReferralCard } from './components/ReferralCard.tsx';

hubspot.extend<'crm.record.tab'>(({ context, actions }) => <ReferralCard context={context} actions={actions} />);

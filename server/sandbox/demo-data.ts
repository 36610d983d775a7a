import type { PortalFixture } from '../../test/emulators/hubspot/seed.ts';

// The demo portal a newcomer meets: a few customers who can refer, friends they referred with deals
// in the pipeline, and a list to sync. Emails use the reserved .test domain.

export const DEMO_PORTAL_ID = 4_242_001;
export const DEMO_WORKSPACE_ID = 'refcarddemo';
export const DEMO_LIST = 'Happy customers';
export const DEMO_TAG = 'Customer';
export const DEAL_STAGE_RULE = { pipelineId: 'default', stageId: 'closedwon' };

const people = [
  ['ava', 'Ava', 'Martin', 'customer'],
  ['ben', 'Ben', 'Okafor', 'customer'],
  ['chloe', 'Chloé', 'Durand', 'customer'],
  ['dev', 'Dev', 'Patel', 'customer'],
  ['emma', 'Emma', 'Schulz', 'customer'],
  ['felix', 'Felix', 'Nakamura', 'lead'],
  ['grace', 'Grace', 'Adeyemi', 'lead'],
  ['hugo', 'Hugo', 'Lindqvist', 'opportunity'],
] as const;

export function demoPortalFixture(): PortalFixture {
  return {
    hubDomain: 'refcard-demo.test',
    users: [{ email: 'admin@refcard-demo.test', firstName: 'Sam', lastName: 'Admin' }],
    contacts: people.map(([key, first, last, stage]) => ({
      key,
      properties: { email: `${key}@refcard-demo.test`, firstname: first, lastname: last, lifecyclestage: stage },
    })),
    deals: [
      { key: 'felix-deal', properties: { dealname: 'Felix — annual plan', amount: '4800', pipeline: 'default', dealstage: 'contractsent' }, contacts: ['felix'] },
      { key: 'grace-deal', properties: { dealname: 'Grace — starter plan', amount: '1200', pipeline: 'default', dealstage: 'qualifiedtobuy' }, contacts: ['grace'] },
      { key: 'hugo-deal', properties: { dealname: 'Hugo — team plan', amount: '9600', pipeline: 'default', dealstage: 'presentationscheduled' }, contacts: ['hugo'] },
    ],
    lists: [{ name: DEMO_LIST, processingType: 'MANUAL', members: ['ava', 'ben', 'chloe', 'dev', 'emma'] }],
  };
}

/** Which demo contacts referred which (HubSpot keys): Ava brought Felix and Grace, Ben brought Hugo. */
export const DEMO_REFERRALS: [referrer: string, lead: string][] = [
  ['ava', 'felix'],
  ['ava', 'grace'],
  ['ben', 'hugo'],
];

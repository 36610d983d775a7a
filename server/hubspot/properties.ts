import { HUBSPOT_PROPERTIES } from '../../shared/campaign.ts';
import type { HubspotApi } from './client.ts';
import { HubspotApiError } from './errors.ts';

// The `refcard` property group and its contact properties, created at install and again whenever a
// push finds one missing (an admin may delete them). HubSpot answers 409 for what already exists,
// which is the success case of a re-run. `formField: true` puts them in every property picker
// (forms, lists, workflows, the mapping editor), which is where admins look for them.

export const GROUP = { name: 'refcard', label: 'Refcard referrals' };

const FIELD_TYPES = { string: 'text', number: 'number' } as const;

export async function ensureProperties(api: HubspotApi): Promise<{ created: string[] }> {
  const created: string[] = [];
  await tolerateExisting(() =>
    api.call('create the refcard property group', (c) => c.crm.properties.groupsApi.create('contacts', { name: GROUP.name, label: GROUP.label, displayOrder: -1 })),
  );
  for (const [i, p] of HUBSPOT_PROPERTIES.entries()) {
    const made = await tolerateExisting(() =>
      api.call(`create property ${p.name}`, (c) =>
        c.crm.properties.coreApi.create('contacts', {
          name: p.name,
          label: p.label,
          type: p.type as never,
          fieldType: FIELD_TYPES[p.type] as never,
          groupName: GROUP.name,
          description: `Kept up to date by Refcard (${p.label.toLowerCase()}).`,
          displayOrder: i,
          formField: true,
          hasUniqueValue: false,
        }),
      ),
    );
    if (made) created.push(p.name);
  }
  return { created };
}

async function tolerateExisting(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (err instanceof HubspotApiError && err.status === 409) return false;
    throw err;
  }
}

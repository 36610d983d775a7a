import type { Intercom } from 'intercom-client';
import { INTERCOM_ATTRIBUTES } from '../../shared/campaign.ts';
import type { IntercomApi } from './client.ts';
import { IntercomApiError } from './errors.ts';

// The contact data attributes Refcard writes, created at install. Idempotent: an attribute that
// already exists (a reinstall, or created by hand) is left as it is, since Intercom never lets a
// data type change anyway.

export interface EnsureResult {
  created: string[];
  existing: string[];
}

export async function ensureDataAttributes(api: IntercomApi): Promise<EnsureResult> {
  const list = await api.call('list data attributes', (c) => c.dataAttributes.list({ model: 'contact' }));
  const have = new Set((list.data ?? []).filter((a) => a.custom !== false).map((a) => a.name));
  const out: EnsureResult = { created: [], existing: [] };
  for (const attr of INTERCOM_ATTRIBUTES) {
    if (have.has(attr.name)) {
      out.existing.push(attr.name);
      continue;
    }
    // intercom-client 7 types this request without name/model/data_type, though the API needs them.
    const request = { name: attr.name, model: 'contact', data_type: attr.type, description: `Refcard: ${attr.label}` } as unknown as Intercom.CreateDataAttributeRequest;
    try {
      await api.call('create data attribute', (c) => c.dataAttributes.create(request));
      out.created.push(attr.name);
    } catch (err) {
      // "You already have '<name>' in your people data": created meanwhile (another install, a person).
      if (err instanceof IntercomApiError && err.status === 400 && /already/i.test(err.message)) out.existing.push(attr.name);
      else throw err;
    }
  }
  return out;
}

import { Client } from '@hubspot/api-client';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubspotEmulator, type HubspotEmulator } from './index.ts';
import { ALL_SCOPES, REDIRECT } from './test-support/setup.ts';

// The state file: a sandbox restart must keep the same portal, ids, tokens and subscriptions.

let dir: string;
const open: HubspotEmulator[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function start(stateFile: string) {
  const emu = createHubspotEmulator({ stateFile, rateLimits: false, stateSaveDelayMs: 100 });
  open.push(emu);
  return emu;
}

describe('persistence', () => {
  it('round-trips apps, portals, records, lists, associations, properties and tokens through the state file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hs-emu-'));
    const file = join(dir, 'hubspot.json');
    const first = start(file);
    const app = first.registerApp({ redirectUrls: [REDIRECT], scopes: ALL_SCOPES, webhooks: { targetUrl: 'https://app.refcard.test/hubspot/webhooks', subscriptions: { legacyCrmObjects: [{ subscriptionType: 'contact.creation' }] } } });
    const portal = first.createPortal();
    const seeded = first.seedPortal(portal.portalId, {
      properties: { contacts: [{ name: 'refcard_code', label: 'Code', type: 'string', fieldType: 'text', groupName: 'contactinformation' }] },
      contacts: [{ key: 'a', properties: { email: 'a@persist.test', refcard_code: 'AAA', lifecyclestage: 'customer' } }, { key: 'b', properties: { email: 'b@persist.test' } }],
      deals: [{ key: 'd', properties: { dealname: 'Deal', dealstage: 'closedwon' }, contacts: ['a'] }],
      lists: [{ name: 'Manual', members: ['b'] }, { name: 'Customers', where: { lifecyclestage: 'customer' } }],
    });
    first.ui.mergeContacts(portal.portalId, seeded.contacts.a, 'b@persist.test');
    const tokens = first.issueTokens(app.appId, portal.portalId);
    first.advanceClock(1234);
    await first.close();
    open.length = 0;
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(1);

    const second = start(file);
    const url = await second.listen();
    const client = new Client({ accessToken: tokens.accessToken, basePath: url });
    const a = await client.crm.contacts.basicApi.getById(String(seeded.contacts.a), ['refcard_code', 'email']);
    expect(a.properties).toMatchObject({ email: 'a@persist.test', refcard_code: 'AAA' });
    expect((await client.crm.contacts.basicApi.getById(String(seeded.contacts.b))).id).toBe(String(seeded.contacts.a));
    expect((await client.crm.contacts.basicApi.getById('b@persist.test', undefined, undefined, undefined, false, 'email')).id).toBe(String(seeded.contacts.a));
    const assoc = await client.crm.associations.v4.basicApi.getPage('deals', String(seeded.deals.d), 'contacts');
    expect(assoc.results.map((r) => r.toObjectId)).toEqual([seeded.contacts.a]);
    expect(second.portal(portal.portalId).list('Manual')!.members).toEqual([seeded.contacts.a]);
    expect(second.state.app(app.appId)!.subscriptions[0].id).toBe(app.subscriptions[0].id);

    const next = await client.crm.contacts.basicApi.create({ properties: { email: 'c@persist.test', lifecyclestage: 'customer' }, associations: [] });
    expect(Number(next.id)).toBeGreaterThan(seeded.contacts.b);
    expect(second.portal(portal.portalId).list('Customers')!.members).toContain(Number(next.id));
    const refreshed = second.refreshAccessToken(app.appId, tokens.refreshToken);
    expect(refreshed.hub_id).toBe(portal.portalId);
    expect(second.now() - Date.now()).toBeGreaterThanOrEqual(1200);
  });

  it('writes the file shortly after a change without an explicit save', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hs-emu-'));
    const file = join(dir, 'nested', 'state.json');
    const emu = start(file);
    emu.createPortal({ portalId: 777 });
    await new Promise((r) => setTimeout(r, 400));
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).portals[0].portalId).toBe(777);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { appMeta, crmLinks, crmPushQueue, type Connection } from '../../server/db/schema.ts';
import { connectPortal, hubspotProvider } from '../../server/hubspot/module.ts';
import { droppedProperties, droppedPropertiesKey, refusedValues } from '../../server/hubspot/refusals.ts';
import { hubspotTick } from '../../server/hubspot/tick.ts';
import { startSync } from '../../server/program/syncs.ts';
import { decrypt } from '../../server/platform/crypto.ts';
import { defaultFieldMapping } from '../../shared/campaign.ts';
import { createCampaign, PUBLIC_URL, startHub, type Hub } from './harness.ts';

// Writing the program's figures to HubSpot contact properties: batches, coalescing, the three
// settings for people HubSpot does not know yet, and the ways HubSpot pushes back. Workers are off
// here: each test runs the push itself and looks at exactly what reached the portal.

let hub: Hub;
let api: Awaited<ReturnType<Hub['apiFor']>>;
let connection: Connection;
let accountId: string;
const portal = () => hub.emu.portal(hub.portalId);
const push = () => hubspotProvider.push(hub.t.ctx, connection);
const queued = () => hub.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, connection.id));
const calls = (path: string) => hub.emu.requestLog.count({ path });

beforeAll(async () => {
  hub = await startHub({ workers: false });
  const installed = await hub.install();
  connection = installed.connection;
  accountId = installed.accountId;
  api = await hub.apiFor(installed.accountId);
});
afterAll(() => hub?.stop());
beforeEach(() => {
  hub.emu.faults.clear();
  hub.emu.requestLog.clear();
});

async function enrol(campaignId: string, emails: string[]) {
  const out: Record<string, any> = {};
  for (let i = 0; i < emails.length; i += 25) {
    const part = emails.slice(i, i + 25);
    const bodies = await Promise.all(part.map((email) => api('POST', '/api/v1/referrers', { campaign_id: campaignId, email, first_name: 'Pat' })));
    part.forEach((email, j) => (out[email] = bodies[j]!.body));
  }
  return out;
}

describe('pushing properties', () => {
  it('creates or updates 250 people by email in three batches and links each to its contact; only contacts it creates get the person’s name', async () => {
    const campaign = await createCampaign(api, { name: 'Batching' });
    hub.emu.generateContacts(hub.portalId, 120, { emailDomain: 'existing.test' });
    const existing = portal().contacts.filter((c) => c.properties.email?.endsWith('@existing.test')).map((c) => c.properties.email!);
    const namesBefore = new Map(existing.map((e) => [e, portal().contact(e)!.properties.firstname]));
    const emails = [...existing, ...Array.from({ length: 130 }, (_, i) => `new${i}@batch.test`)];
    const people = await enrol(campaign.id, emails);
    await push();
    expect(calls('/crm/v3/objects/contacts/batch/upsert')).toBe(3);
    // the names of the contacts the upserts created: one update per batch that created any
    expect(calls('/crm/v3/objects/contacts/batch/update')).toBe(2);
    for (const email of emails) expect(portal().contact(email)!.properties).toMatchObject({ refcard_referral_link: people[email].link, refcard_referral_status: 'referrer', refcard_campaign: 'Batching' });
    for (const email of existing) expect(portal().contact(email)!.properties.firstname).toBe(namesBefore.get(email));
    for (const email of emails.filter((e) => e.endsWith('@batch.test'))) expect(portal().contact(email)!.properties.firstname).toBe('Pat');
    const links = await hub.t.ctx.db.select().from(crmLinks).where(eq(crmLinks.connectionId, connection.id));
    expect(links.filter((l) => Object.values(people).some((p) => p.id === l.participantId))).toHaveLength(250);
    expect(await queued()).toHaveLength(0);
  });

  it('writes a backlog in full batches, each person once, while the next batches are read ahead', async () => {
    await push();
    const campaign = await createCampaign(api, { name: 'Backlog' });
    const listId = hub.emu.ui.createList(hub.portalId, { name: 'Backlog', processingType: 'MANUAL' });
    hub.emu.generateContacts(hub.portalId, 1050, { addToList: { listId }, emailDomain: 'backlog.test' });
    const actor = { type: 'user' as const, source: 'admin' as const, label: 'admin@acme.test' };
    const { run } = await startSync(hub.t.ctx, { accountId, campaignId: campaign.id, connectionId: connection.id, source: { kind: 'list', id: String(listId) }, mode: 'once', actor });
    await hubspotProvider.runSync(hub.t.ctx, run.id);
    expect(await queued()).toHaveLength(1050);
    hub.emu.requestLog.clear();
    await push();
    expect(calls('/crm/v3/objects/contacts/batch/update')).toBe(11);
    expect(await queued()).toHaveLength(0);
    expect(portal().contacts.filter((c) => c.properties.email?.endsWith('@backlog.test') && c.properties.refcard_referral_link)).toHaveLength(1050);
  });

  it('makes one write for a person changed many times, and one input for a contact two campaigns share', async () => {
    const a = await createCampaign(api, { name: 'Coalesce A', field_mapping: withFirstName() });
    const b = await createCampaign(api, { name: 'Coalesce B', field_mapping: withFirstName() });
    const pa = (await enrol(a.id, ['twice@coalesce.test']))['twice@coalesce.test'];
    await enrol(b.id, ['twice@coalesce.test']);
    await push();
    hub.emu.requestLog.clear();
    for (const name of ['Al', 'Bo', 'Cy', 'Di', 'Ed']) await api('PATCH', `/api/v1/participants/${pa.id}`, { first_name: name });
    expect((await queued()).find((r) => r.participantId === pa.id)?.version).toBe(5);
    await push();
    const writes = hub.emu.requestLog.entries({ path: '/crm/v3/objects/contacts/batch/update' });
    expect(writes).toHaveLength(1);
    expect(portal().contact('twice@coalesce.test')!.properties.firstname).toBe('Ed');
  });

  it('keeps a change that arrived while its push was in flight, and sends it right after', async () => {
    const campaign = await createCampaign(api, { name: 'Racing', field_mapping: withFirstName() });
    const p = (await enrol(campaign.id, ['racer@race.test']))['racer@race.test'];
    await push();
    await api('PATCH', `/api/v1/participants/${p.id}`, { first_name: 'Old' });
    hub.emu.faults.set({ latencyMs: 400, path: '/crm/v3/objects/contacts/batch/update' });
    hub.emu.requestLog.clear();
    const running = push();
    await new Promise((r) => setTimeout(r, 150));
    await api('PATCH', `/api/v1/participants/${p.id}`, { first_name: 'New' });
    await running;
    // The write in flight carried "Old"; the row outlived it, and the same run sent "New".
    expect(calls('/crm/v3/objects/contacts/batch/update')).toBe(2);
    expect(portal().contact('racer@race.test')!.properties.firstname).toBe('New');
    expect(await queued()).toHaveLength(0);
  });

  it('leaves a write HubSpot refused for the next run, not the rest of this one', async () => {
    const campaign = await createCampaign(api, { name: 'Refused', field_mapping: withFirstName() });
    const p = (await enrol(campaign.id, ['refused@refused.test']))['refused@refused.test'];
    await push();
    await api('PATCH', `/api/v1/participants/${p.id}`, { first_name: 'Later' });
    hub.emu.faults.set({ nextStatuses: [400], path: '/crm/v3/objects/contacts/batch/update' });
    hub.emu.requestLog.clear();
    await push();
    expect(calls('/crm/v3/objects/contacts/batch/update')).toBe(1);
    expect(await queued()).toMatchObject([{ participantId: p.id, attempts: 1 }]);
    await push();
    expect(portal().contact('refused@refused.test')!.properties.firstname).toBe('Later');
    expect(await queued()).toHaveLength(0);
  });

  it('writes a person again when they change, after HubSpot refused their write as often as it is tried', async () => {
    const campaign = await createCampaign(api, { name: 'Given up', field_mapping: withFirstName() });
    const p = (await enrol(campaign.id, ['gaveup@refused.test']))['gaveup@refused.test'];
    await push();
    await api('PATCH', `/api/v1/participants/${p.id}`, { first_name: 'Refused' });
    hub.emu.faults.set({ nextStatuses: [400, 400, 400, 400, 400], path: '/crm/v3/objects/contacts/batch/update' });
    for (let i = 0; i < 6; i++) await push();
    expect(await queued()).toMatchObject([{ participantId: p.id, attempts: 5 }]);
    expect(portal().contact('gaveup@refused.test')!.properties.firstname).toBe('Pat');

    await api('PATCH', `/api/v1/participants/${p.id}`, { first_name: 'Changed' });
    await push();
    expect(portal().contact('gaveup@refused.test')!.properties.firstname).toBe('Changed');
    expect(await queued()).toHaveLength(0);
  });

  it('gives a contact it created the person’s name on the next run when the name’s own write failed, and leaves the name alone once written', async () => {
    const campaign = await createCampaign(api, { name: 'Owed names' });
    const p = (await enrol(campaign.id, ['owed@names.test']))['owed@names.test'];
    // the upsert creates the contact; the write of its name that follows is refused
    hub.emu.faults.set({ nextStatuses: [400], path: '/crm/v3/objects/contacts/batch/update' });
    await push();
    expect(portal().contact('owed@names.test')!.properties).toMatchObject({ refcard_campaign: 'Owed names' });
    expect(portal().contact('owed@names.test')!.properties.firstname).toBeFalsy();
    expect(await queued()).toMatchObject([{ participantId: p.id, attempts: 1 }]);
    await push();
    expect(portal().contact('owed@names.test')!.properties.firstname).toBe('Pat');
    expect(await queued()).toHaveLength(0);
    // paid once: a rep's rename in HubSpot survives the person's next push
    hub.emu.ui.updateContact(hub.portalId, portal().contact('owed@names.test')!.id, { firstname: 'Patricia' });
    await api('PATCH', `/api/v1/participants/${p.id}`, { first_name: 'Patty' });
    hub.emu.requestLog.clear();
    await push();
    expect(calls('/crm/v3/objects/contacts/batch/update')).toBe(1);
    expect(portal().contact('owed@names.test')!.properties.firstname).toBe('Patricia');
  });

  it('with "create", creates contacts that are missing and never touches existing ones', async () => {
    const campaign = await createCampaign(api, { name: 'Create only', settings: { hubspotNewParticipants: 'create' } });
    hub.emu.ui.createContact(hub.portalId, { email: 'already@create.test', firstname: 'Already' });
    await enrol(campaign.id, ['already@create.test', 'fresh@create.test']);
    await push();
    expect(portal().contact('fresh@create.test')!.properties).toMatchObject({ refcard_campaign: 'Create only', firstname: 'Pat' });
    expect(portal().contact('already@create.test')!.properties.refcard_referral_link).toBeUndefined();
    expect(portal().contact('already@create.test')!.properties.firstname).toBe('Already');
    expect(await queued()).toHaveLength(0);
  });

  it('with "nothing", writes nothing for people HubSpot does not know', async () => {
    const campaign = await createCampaign(api, { name: 'Hands off', settings: { hubspotNewParticipants: 'nothing' } });
    await enrol(campaign.id, ['nobody@nothing.test']);
    await push();
    expect(portal().contact('nobody@nothing.test')).toBeUndefined();
    expect(await queued()).toHaveLength(0);
  });
});

describe('when HubSpot pushes back', () => {
  it('leaves out a mapped property that no longer exists, writes the rest, and says which', async () => {
    const mapping = defaultFieldMapping();
    mapping.hubspot.outbound.push({ target: 'deleted_last_year', source: { kind: 'fixed', value: 'x' } });
    const campaign = await createCampaign(api, { name: 'Stale mapping', field_mapping: mapping });
    const people = await enrol(campaign.id, ['one@stale.test', 'two@stale.test']);
    await push();
    for (const email of ['one@stale.test', 'two@stale.test']) expect(portal().contact(email)!.properties.refcard_referral_link).toBe(people[email].link);
    expect(await droppedProperties(hub.t.ctx, connection.id)).toMatchObject({ deleted_last_year: { code: 'PROPERTY_DOESNT_EXIST' } });
    expect(await queued()).toHaveLength(0);
  });

  it('creates its properties on the first push when the install could not', async () => {
    const other = hub.emu.createPortal();
    hub.emu.faults.set({ errorRate: 1, errorStatuses: [502], path: '/crm/v3/properties' });
    const { code } = hub.emu.installApp(hub.app.appId, other.portalId);
    const installed = await connectPortal(hub.t.ctx, { code });
    expect(installed.propertiesError).toMatch(/HubSpot failed/);
    hub.emu.faults.clear();
    const otherApi = await hub.apiFor(installed.accountId);
    const campaign = await createCampaign(otherApi, { name: 'Late properties' });
    const p = (await otherApi('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'first@late.test' })).body;
    await hubspotProvider.push(hub.t.ctx, installed.connection);
    expect(hub.emu.portal(other.portalId).contact('first@late.test')!.properties).toMatchObject({ refcard_referral_code: p.code, refcard_referral_link: p.link });
  });

  it('when an admin deletes one of its properties, writes the others and says which one is missing', async () => {
    const token = decrypt(hub.t.config.encryptionKey, (await hub.connection()).accessTokenEnc!);
    const del = await fetch(`${hub.apiBase}/crm/v3/properties/contacts/refcard_referral_code`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(del.status).toBe(204);
    const campaign = await createCampaign(api, { name: 'Repair' });
    const p = (await enrol(campaign.id, ['repair@repair.test']))['repair@repair.test'];
    await push();
    // HubSpot keeps a deleted property archived under its name: only an admin can restore it.
    expect(portal().contact('repair@repair.test')!.properties).toMatchObject({ refcard_referral_link: p.link });
    expect(await droppedProperties(hub.t.ctx, connection.id)).toMatchObject({ refcard_referral_code: { code: 'PROPERTY_DOESNT_EXIST' } });
  });

  /** A portal of its own where an admin's rule allows only letters in first names: the rule and the refused property must not reach the other tests. */
  async function portalRefusingFirstNames() {
    const other = hub.emu.createPortal();
    const installed = await connectPortal(hub.t.ctx, { code: hub.emu.installApp(hub.app.appId, other.portalId).code });
    hub.emu.ui.requireLettersOnly(other.portalId, 'contacts', 'firstname');
    const otherApi = await hub.apiFor(installed.accountId);
    return {
      portalId: other.portalId,
      connectionId: installed.connection.id,
      api: otherApi,
      push: () => hubspotProvider.push(hub.t.ctx, installed.connection),
      contact: (email: string) => hub.emu.portal(other.portalId).contact(email)!,
      /** A friend signs up with the code, and the referrer's figures are pushed. */
      async refer(campaignId: string, referralCode: string, email: string) {
        await otherApi('POST', '/api/v1/leads', { campaign_id: campaignId, email, referral_code: referralCode });
        await hubspotProvider.push(hub.t.ctx, installed.connection);
      },
      namesOwed: async (participantId: string) => (await hub.t.ctx.db.select().from(crmLinks).where(eq(crmLinks.participantId, participantId)))[0]!.namesOwed,
      liftRule: () => hub.emu.ui.requireLettersOnly(other.portalId, 'contacts', 'firstname', false),
      /** Enrols referrers by first name, each at `<name>@<domain>` in lower case, letters and digits only. */
      async enrolNamed(campaignId: string, firstNames: string[], domain: string) {
        const out: Record<string, any> = {};
        for (const name of firstNames) {
          const email = `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}@${domain}`;
          out[name] = (await otherApi('POST', '/api/v1/referrers', { campaign_id: campaignId, email, first_name: name })).body;
        }
        return out;
      },
    };
  }

  it('when an admin’s validation rule refuses a person’s name, still writes their figures, and sends the name once the rule is gone', async () => {
    const other = await portalRefusingFirstNames();
    const contact = () => other.contact('jo@rules.test');
    const campaign = await createCampaign(other.api, { name: 'Rules' });
    const jo = (await other.api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'jo@rules.test', first_name: 'Jo-Ann', last_name: 'Lee' })).body;
    await other.push();
    expect(contact().properties).toMatchObject({ refcard_referral_link: jo.link, refcard_referrals: '0', lastname: 'Lee' });
    expect(contact().properties.firstname).toBeFalsy();
    expect(await other.namesOwed(jo.id)).toEqual(['firstname']);
    // the admin can see what was refused, and why; the portal's other first names are not held back
    expect(await refusedValues(hub.t.ctx, other.connectionId)).toMatchObject([{ contact: 'jo@rules.test', property: 'firstname', value: 'Jo-Ann', code: 'INVALID_ALPHA', message: 'Enter only letters' }]);
    expect(await droppedProperties(hub.t.ctx, other.connectionId)).toEqual({});

    await other.refer(campaign.id, jo.code, 'friend@rules.test');
    expect(contact().properties.refcard_referrals).toBe('1');
    // refused again with the update that owed it; the admin reads whose name it is
    expect((await refusedValues(hub.t.ctx, other.connectionId))[0]).toMatchObject({ contact: String(contact().id), email: 'jo@rules.test', property: 'firstname' });
    expect(await hub.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, other.connectionId))).toHaveLength(0);

    other.liftRule();
    await other.refer(campaign.id, jo.code, 'friend2@rules.test');
    expect(contact().properties).toMatchObject({ firstname: 'Jo-Ann', lastname: 'Lee', refcard_referrals: '2' });
    expect(await other.namesOwed(jo.id)).toEqual([]);
  });

  it('with "create", creates the contact when an admin’s validation rule refuses the person’s name', async () => {
    const other = await portalRefusingFirstNames();
    const campaign = await createCampaign(other.api, { name: 'Rules, create only', settings: { hubspotNewParticipants: 'create' } });
    const al = (await other.api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'al@rules.test', first_name: 'Al 2', last_name: 'Smith' })).body;
    await other.push();
    expect(other.contact('al@rules.test').properties).toMatchObject({ refcard_referral_link: al.link, lastname: 'Smith' });
    expect(other.contact('al@rules.test').properties.firstname).toBeFalsy();
    expect(await other.namesOwed(al.id)).toEqual(['firstname']);
  });

  it('when a rule refuses only the first name, owes only that: a rep’s later change of the last name stays', async () => {
    const other = await portalRefusingFirstNames();
    const contact = () => other.contact('al@partly.test');
    const campaign = await createCampaign(other.api, { name: 'Partly refused', settings: { hubspotNewParticipants: 'create' } });
    const al = (await other.api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'al@partly.test', first_name: 'Al 2', last_name: 'Smith' })).body;
    await other.push();
    expect(contact().properties).toMatchObject({ lastname: 'Smith' });

    hub.emu.ui.updateContact(other.portalId, 'al@partly.test', { lastname: 'Smyth' });
    await other.refer(campaign.id, al.code, 'friend@partly.test');
    expect(contact().properties).toMatchObject({ refcard_referrals: '1', lastname: 'Smyth' });

    // the first name, still owed, is written once HubSpot takes it; the last name is not sent again
    other.liftRule();
    await other.refer(campaign.id, al.code, 'friend2@partly.test');
    expect(contact().properties).toMatchObject({ firstname: 'Al 2', lastname: 'Smyth', refcard_referrals: '2' });
    expect(await other.namesOwed(al.id)).toEqual([]);
  });

  it('when a rule refuses one person’s name among many, only that person waits for it: the others get theirs in the same push', async () => {
    const other = await portalRefusingFirstNames();
    const campaign = await createCampaign(other.api, { name: 'One refused' });
    const names = Array.from({ length: 60 }, (_, i) => `Pat${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`);
    names.splice(37, 0, 'Al 2');
    const people = await other.enrolNamed(campaign.id, names, 'many.test');
    hub.emu.requestLog.clear();
    await other.push();
    for (const name of names.filter((n) => n !== 'Al 2')) expect(other.contact(`${name.toLowerCase()}@many.test`).properties).toMatchObject({ firstname: name, refcard_referral_link: people[name].link });
    expect(other.contact('al2@many.test').properties).toMatchObject({ refcard_referral_link: people['Al 2'].link });
    expect(other.contact('al2@many.test').properties.firstname).toBeFalsy();
    expect(await other.namesOwed(people['Al 2'].id)).toEqual(['firstname']);
    expect(await droppedProperties(hub.t.ctx, other.connectionId)).toEqual({});
    expect(await refusedValues(hub.t.ctx, other.connectionId)).toMatchObject([{ contact: 'al2@many.test', property: 'firstname', value: 'Al 2', code: 'INVALID_ALPHA' }]);
    // found by halving the batch: a handful of extra calls, not one per person
    expect(calls('/crm/v3/objects/contacts/batch/upsert')).toBeLessThanOrEqual(15);
  });

  it('when a rule refuses most names of a batch, stops looking after a bounded number of calls, leaves first names out for the portal, and pays them once they are tried again', async () => {
    const other = await portalRefusingFirstNames();
    const campaign = await createCampaign(other.api, { name: 'Most refused', settings: { hubspotNewParticipants: 'create' } });
    const names = Array.from({ length: 40 }, (_, i) => `Mo ${i}`);
    const people = await other.enrolNamed(campaign.id, names, 'most.test');
    hub.emu.requestLog.clear();
    await other.push();
    expect(calls('/crm/v3/objects/contacts/batch/create')).toBeLessThanOrEqual(34);
    expect(await droppedProperties(hub.t.ctx, other.connectionId)).toMatchObject({ firstname: { code: 'INVALID_ALPHA' } });
    // everyone is in HubSpot with their figures; the names wait, owed
    for (const name of names) expect(other.contact(`mo${name.slice(3)}@most.test`).properties.refcard_referral_link).toBe(people[name].link);
    expect(await hub.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, other.connectionId))).toHaveLength(0);

    // The admin lifts the rule; once first names are tried again, the minute tick has them paid
    // though none of these people changed.
    other.liftRule();
    const key = droppedPropertiesKey(other.connectionId);
    await hub.t.ctx.db.update(appMeta).set({ value: { firstname: { code: 'INVALID_ALPHA', at: new Date(Date.now() - 11 * 60_000).toISOString() } } }).where(eq(appMeta.key, key));
    await hub.t.ctx.db.execute(sql`delete from pgboss.job where name = 'crm.push'`);
    await hubspotTick(hub.t.ctx);
    const jobs = await hub.t.ctx.db.execute<{ data: { connectionId: string } }>(sql`select data from pgboss.job where name = 'crm.push'`);
    expect(jobs.map((j) => j.data.connectionId)).toContain(other.connectionId);
    await other.push();
    for (const name of names) expect(other.contact(`mo${name.slice(3)}@most.test`).properties.firstname).toBe(name);
    expect(await other.namesOwed(people[names[0]!].id)).toEqual([]);
    expect(await droppedProperties(hub.t.ctx, other.connectionId)).toEqual({});
  });

  it('rides out a burst of 429s and 5xx answers without losing a write', async () => {
    const campaign = await createCampaign(api, { name: 'Storm' });
    const people = await enrol(campaign.id, ['a@storm.test', 'b@storm.test']);
    hub.emu.faults.set({ nextStatuses: [429, 503, 429], path: '/crm/v3/objects/contacts/batch' });
    await push();
    expect(hub.emu.requestLog.count({ path: '/crm/v3/objects/contacts/batch/upsert', status: 429 })).toBe(2);
    for (const email of ['a@storm.test', 'b@storm.test']) expect(portal().contact(email)!.properties.refcard_referral_link).toBe(people[email].link);
    expect(await queued()).toHaveLength(0);
  });

  it('unlinks a contact deleted in HubSpot instead of re-creating it', async () => {
    const campaign = await createCampaign(api, { name: 'Deleted' });
    const p = (await enrol(campaign.id, ['gone@deleted.test']))['gone@deleted.test'];
    await push();
    hub.emu.ui.deleteContact(hub.portalId, 'gone@deleted.test');
    await api('PATCH', `/api/v1/participants/${p.id}`, { first_name: 'Still here' });
    await push();
    expect(portal().contact('gone@deleted.test')).toBeUndefined();
    expect(await hub.t.ctx.db.select().from(crmLinks).where(and(eq(crmLinks.participantId, p.id), eq(crmLinks.connectionId, connection.id)))).toHaveLength(0);
    expect(await queued()).toHaveLength(0);
  });

  it('writes links under the configured public URL', async () => {
    const campaign = await createCampaign(api, { name: 'Links' });
    const p = (await enrol(campaign.id, ['link@links.test']))['link@links.test'];
    await push();
    expect(portal().contact('link@links.test')!.properties.refcard_referral_link).toBe(`${PUBLIC_URL}/r/${p.code}`);
  });
});

function withFirstName() {
  const m = defaultFieldMapping();
  m.hubspot.outbound.push({ target: 'firstname', source: { kind: 'field', field: 'first_name' } });
  return m;
}

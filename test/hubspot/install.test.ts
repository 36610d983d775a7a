import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { connections, crmPushQueue } from '../../server/db/schema.ts';
import { decrypt } from '../../server/platform/crypto.ts';
import { connectPortal } from '../../server/hubspot/module.ts';
import { hubspotTick } from '../../server/hubspot/tick.ts';
import { ProgramError } from '../../server/program/errors.ts';
import { createAccount } from '../../server/program/accounts.ts';
import { eventually } from '../support/app.ts';
import { createCampaign, PUBLIC_URL, startHub, type Hub, type Installed } from './harness.ts';

// The marketplace install and what follows it: tokens, properties, reinstalling, more portals,
// the programmatic path the sandbox uses, and losing access (refused refresh, uninstall).

let hub: Hub;
let first: Installed;
/** the admin's browser: every sign-in replaces the session cookie */
let browser = '';
beforeAll(async () => {
  hub = await startHub();
  first = await hub.install();
  browser = first.cookie;
});
afterAll(() => hub?.stop());

describe('installing from the marketplace', () => {
  it('trades the code for tokens kept encrypted, learns the portal and installing user, and signs the admin in', async () => {
    expect(first.status).toBe(302);
    expect(first.location).toBe('/admin');
    expect(first.cookie).toMatch(/rc_session=/);
    const c = first.connection;
    expect(c).toMatchObject({ provider: 'hubspot', externalId: String(hub.portalId), status: 'connected', installedBy: { email: 'rita@acme.test' } });
    expect(c.scopes).toEqual(expect.arrayContaining(['crm.objects.contacts.write', 'crm.objects.deals.read', 'crm.lists.read']));
    const token = decrypt(hub.t.config.encryptionKey, c.accessTokenEnc!);
    expect(c.accessTokenEnc).not.toContain(token);
    expect(c.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
  });

  it('creates the Refcard property group and its eight contact properties, shown in forms', () => {
    const portal = hub.emu.portal(hub.portalId);
    const ours = portal.raw.schemas.contacts.properties;
    const refcard = [...ours.values()].filter((p) => p.groupName === 'refcard');
    expect(refcard.map((p) => p.name).sort()).toEqual([
      'refcard_campaign', 'refcard_qualified_referrals', 'refcard_referral_code', 'refcard_referral_link',
      'refcard_referral_status', 'refcard_referrals', 'refcard_referred_by', 'refcard_rewards_earned',
    ]);
    expect(refcard.every((p) => p.formField && !p.hidden)).toBe(true);
    expect(portal.property('contacts', 'refcard_referrals')).toMatchObject({ type: 'number', fieldType: 'number' });
  });

  it('asks HubSpot for exactly the scopes the app project declares', async () => {
    const start = await hub.t.app.request('/oauth/hubspot/install');
    const url = new URL(start.headers.get('location')!);
    expect(url.origin + url.pathname).toBe(`${hub.apiBase}/oauth/authorize`);
    expect(url.searchParams.get('scope')!.split(' ').sort()).toEqual([...hub.app.scopes].sort());
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/oauth/hubspot/callback`);
  });

  it('refuses a callback from another browser and a state used twice', async () => {
    const start = await hub.t.app.request('/oauth/hubspot/install');
    const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const consent = await fetch(`${start.headers.get('location')}&auto=1`, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const elsewhere = await hub.t.app.request(back.pathname + back.search);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toMatch(/start again/i);
    const again = await hub.t.app.request(back.pathname + back.search, { headers: { cookie } });
    expect(again.status).toBe(400);
  });

  it('updates the same connection on a reinstall instead of adding another', async () => {
    const again = await hub.install({ cookie: browser });
    browser = again.cookie;
    expect(again.status).toBe(302);
    expect(again.connection.id).toBe(first.connection.id);
    const rows = await hub.t.ctx.db.select().from(connections).where(eq(connections.externalId, String(hub.portalId)));
    expect(rows).toHaveLength(1);
    expect(hub.emu.requestLog.count({ path: '/crm/v3/properties/contacts', status: 409 })).toBe(8);
  });

  it('connects a second portal to the account of the admin who is signed in', async () => {
    const second = hub.emu.createPortal({ users: [{ email: 'ops@acme-eu.test' }] });
    const r = await hub.install({ portalId: second.portalId, cookie: browser });
    browser = r.cookie;
    expect(r.status).toBe(302);
    expect(r.connection.accountId).toBe(first.accountId);
    expect(r.connection.id).not.toBe(first.connection.id);
  });

  it('connects a portal without a browser through the same path (the sandbox’s way)', async () => {
    const third = hub.emu.createPortal();
    const { code } = hub.emu.installApp(hub.app.appId, third.portalId);
    const r = await connectPortal(hub.t.ctx, { code, accountId: hub.t.account.id });
    expect(r).toMatchObject({ accountId: hub.t.account.id, portalId: third.portalId, createdConnection: true, propertiesError: null });
    expect(r.propertiesCreated).toHaveLength(8);
    expect(hub.emu.portal(third.portalId).property('contacts', 'refcard_referral_link')).toBeDefined();

    // …and never moves a portal from one account to another.
    const { code: again } = hub.emu.installApp(hub.app.appId, third.portalId);
    const other = await createAccount(hub.t.ctx.db, 'Someone else');
    await expect(connectPortal(hub.t.ctx, { code: again, accountId: other.id })).rejects.toThrow(ProgramError);
  });
});

describe('losing access', () => {
  it('marks the connection disconnected with a reason when HubSpot refuses the refresh, keeps the pending push, and finishes it after a reinstall', async () => {
    const api = await hub.apiFor(first.accountId);
    const campaign = await createCampaign(api, { name: 'Refresh test' });
    const conn = await hub.connection();
    hub.emu.revokeRefreshToken(decrypt(hub.t.config.encryptionKey, conn.refreshTokenEnc!));
    hub.emu.advanceClock(31 * 60_000);

    expect((await api('POST', '/api/v1/referrers', { campaign_id: campaign.id, email: 'late@acme.test', first_name: 'Late' })).status).toBe(201);
    const down = await eventually(async () => {
      const c = await hub.connection();
      expect(c.status).toBe('disconnected');
      return c;
    });
    expect(down.statusReason).toMatch(/revoked or expired.*reconnect/i);
    expect(await hub.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, conn.id))).not.toHaveLength(0);
    expect(hub.emu.portal(hub.portalId).contact('late@acme.test')).toBeUndefined();

    // The admin sees why in HubSpot's settings page of the app.
    const settings = await hub.emu.card.fetch({ appId: hub.app.appId, portalId: hub.portalId, userId: 7, userEmail: 'rita@acme.test', url: `${PUBLIC_URL}/hubspot/settings` });
    expect(settings.status).toBe(200);
    expect(settings.json).toMatchObject({ connection: { status: 'disconnected', reason: down.statusReason }, account: { id: first.accountId } });

    // Reinstalling resumes: the person enrolled meanwhile reaches HubSpot with their link.
    const back = await hub.install({ cookie: browser });
    expect(back.connection).toMatchObject({ id: conn.id, status: 'connected', statusReason: null });
    await eventually(async () => {
      expect(hub.emu.portal(hub.portalId).contact('late@acme.test')?.properties.refcard_referral_link).toMatch(new RegExp(`^${PUBLIC_URL}/r/`));
      expect(await hub.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, conn.id))).toHaveLength(0);
    });
  });

  it('notices an uninstall on the minute tick, when the token due for refresh is refused', async () => {
    const conn = await hub.connection();
    expect(conn.status).toBe('connected');
    hub.emu.uninstall(hub.app.appId, hub.portalId);
    // The stored token is about to expire: tick refreshes it ahead of time, and HubSpot says no.
    await hub.t.ctx.db.update(connections).set({ accessTokenExpiresAt: new Date(Date.now() + 60_000) }).where(eq(connections.id, conn.id));
    await hubspotTick(hub.t.ctx);
    const after = await hub.connection();
    expect(after.status).toBe('disconnected');
    expect(after.statusReason).toMatch(/BAD_REFRESH_TOKEN/);
  });
});

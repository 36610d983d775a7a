import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connections, syncRuns } from '../../server/db/schema.ts';
import { createLead, enrolReferrer } from '../../server/program/participants.ts';
import { systemActor } from '../../server/program/actor.ts';
import { expectNoInjectedMarkup, signIn, tagsOf, textOf, type Admin } from './support.ts';

// Stored XSS: names, emails, campaign and reward names, reasons, descriptions, connection names
// and sync errors holding markup — typed into the console, the API or a CRM — come back on every
// page as text. No page ever carries a tag or an event-handler attribute that it did not write.

const P = {
  campaign: '<script>alert("campaign")</script>',
  reward: '<script>alert("reward")</script>',
  first: '"><img src=x onerror=alert("first")>',
  last: "</textarea><svg onload=alert('last')>",
  email: `o'neil"onmouseover="alert(1)"<b>@xss.test`,
  reason: '<iframe src=javascript:alert("reason")></iframe>',
  description: '<script>alert("hook")</script>',
  keyName: '<img src=x onerror=alert("key")>',
  connection: '<svg/onload=alert("conn")>',
  syncError: '<script>alert("sync")</script>',
  syncContact: '"><img src=x onerror=alert("syncid")>',
  search: '"><script>alert("search")</script>',
  admin: '<b onmouseover=alert("admin")>Mallory</b>',
};

let t: TestApp;
let admin: Admin;
let campaignId: string;
let leadId: string;

/** Shown as text, or as the escaped value of a form field. */
const shows = (html: string, s: string) => textOf(html).includes(s) || html.includes(`value="${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}"`);

beforeAll(async () => {
  t = await startTestApp({ workers: false });
  admin = await signIn(t, t.account.id, { provider: 'hubspot', id: '7', email: null, name: P.admin });
  // Through the console's own forms, as an admin would type them.
  const created = await admin.post('/admin/campaigns', {
    name: P.campaign,
    status: 'active',
    r0_name: P.reward,
    r0_recipient: 'referrer',
    r0_trigger: 'per_qualified_lead',
    r0_amount: '10',
    r0_currency: 'USD',
    require_consent: 'on',
  });
  expect(created.status).toBe(303);
  campaignId = created.location!.split('/').pop()!;
  expect((await admin.post('/admin/api-keys', { name: P.keyName })).status).toBe(200);
  expect((await admin.post('/admin/webhooks', { url: 'https://hooks.example/x', description: P.description })).status).toBe(200);
  // Through the services, as the API, the landing page or a CRM sync would store them.
  const people = await t.ctx.db.transaction(async (tx) => {
    const r = await enrolReferrer(t.ctx, tx, { accountId: t.account.id, campaignId, email: P.email, firstName: P.first, lastName: P.last, source: 'api', actor: systemActor('api') });
    const l = await createLead(t.ctx, tx, { accountId: t.account.id, referralCode: r.participant.code, email: 'friend@xss.test', firstName: P.last, lastName: P.first, source: 'landing', actor: systemActor('landing') });
    return { referrer: r.participant, lead: l.participant };
  });
  leadId = people.lead.id;
  const bulk = await admin.post(`/admin/campaigns/${campaignId}/participants/bulk`, { action: 'qualify', ids: [leadId], reason: P.reason });
  expect(bulk.status).toBe(303);
  const [conn] = await t.ctx.db.insert(connections).values({ accountId: t.account.id, provider: 'hubspot', externalId: '31337', name: P.connection, status: 'disconnected', statusReason: P.connection }).returning();
  await t.ctx.db.insert(syncRuns).values({
    accountId: t.account.id,
    campaignId,
    connectionId: conn!.id,
    provider: 'hubspot',
    source: { kind: 'list', id: '1', name: P.syncError },
    mode: 'once',
    state: 'completed',
    done: 1,
    total: 2,
    failed: 1,
    errors: [{ externalId: P.syncContact, message: P.syncError }],
  });
});

afterAll(async () => {
  await t?.stop();
});

describe('stored markup is shown as text', () => {
  it('on every page that shows it', async () => {
    const pages: [string, string[]][] = [
      ['/admin', [P.campaign, P.admin]],
      ['/admin/campaigns', [P.campaign, P.reward]],
      [`/admin/campaigns/${campaignId}`, [P.campaign, P.reward]],
      [`/admin/campaigns/${campaignId}/participants`, [P.first, P.last, P.reason]],
      [`/admin/campaigns/${campaignId}/participants/${leadId}`, [P.first, P.last, P.reason]],
      [`/admin/campaigns/${campaignId}/participants?q=${encodeURIComponent(P.search)}`, [P.search]],
      ['/admin/audit', [P.reason, P.admin, P.first]],
      ['/admin/api-keys', [P.keyName]],
      ['/admin/webhooks', [P.description]],
      ['/admin/integrations', [P.connection]],
      ['/admin/syncs', [P.syncError, P.syncContact, P.campaign]],
    ];
    for (const [path, shown] of pages) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(200);
      expectNoInjectedMarkup(res.html, path);
      for (const s of shown) expect(shows(res.html, s), `${path} shows ${s}`).toBe(true);
    }
  });

  it('emails with quotes and markup stay inside their text and attributes', async () => {
    const list = await admin.get(`/admin/campaigns/${campaignId}/participants`);
    expect(list.html).not.toContain(P.email);
    expect(textOf(list.html)).toContain(P.email.toLowerCase());
    // the checkbox's accessible name carries the name: its quote must not end the attribute
    expect(list.html).toMatch(/aria-label="Select &quot;&gt;&lt;img src=x onerror=alert\(&quot;first&quot;\)&gt;/);
  });

  it('the check itself catches injected markup', () => {
    expect(() => expectNoInjectedMarkup('<p title="a onclick=x">ok</p>', 'escaped')).not.toThrow();
    expect(() => expectNoInjectedMarkup('<p>ok</p><img src=x onerror=alert(1)>', 'img')).toThrow();
    expect(() => expectNoInjectedMarkup('<p class="a" onmouseover="x">ok</p>', 'handler')).toThrow();
    expect(() => expectNoInjectedMarkup('<script>alert(1)</script>', 'script')).toThrow();
    expect(tagsOf('<a href="x" data-y=\'z\'>').map((t) => t.attrs)).toEqual([['href', 'data-y']]);
  });

  it('a form shown again after an error keeps the markup as text', async () => {
    const res = await admin.post('/admin/campaigns', { name: P.campaign, landing_url: 'javascript:alert(1)', r0_name: P.reward, r0_amount: 'abc' });
    expect(res.status).toBe(400);
    expectNoInjectedMarkup(res.html, 'campaign form with errors');
    expect(res.html).toContain('value="&lt;script&gt;alert(&quot;campaign&quot;)&lt;/script&gt;"');
  });
});

// Webhooks: URL check (HEAD) and ping on save, the notification envelope, X-Hub-Signature
// verified with an independent HMAC-SHA1, topics, retries, duplicates and reordering.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, harness, receiver, type Received } from './harness.ts';

type Receiver = Awaited<ReturnType<typeof receiver>>;
let rx: Receiver | undefined;
afterEach(async () => { await rx?.close(); rx = undefined; });

/** Independent of the emulator's signing module on purpose. */
const expectedSignature = (body: string) => `sha1=${createHmac('sha1', CLIENT_SECRET).update(body, 'utf8').digest('hex')}`;
const posts = (r: Receiver) => r.received.filter((x) => x.method === 'POST');
const json = (r: Received) => JSON.parse(r.body) as Record<string, any>;
const topics = (r: Receiver) => posts(r).map((x) => json(x).topic);

async function subscribed(topicList: string[], respond?: Parameters<typeof receiver>[0], opts: Parameters<typeof harness>[0] = {}) {
  rx = await receiver(respond);
  const h = harness({
    ...opts,
    fixture: {
      dataAttributes: [{ name: 'referral_status', data_type: 'string' }],
      contacts: [{ email: 'grace@example.test', name: 'Grace' }, { email: 'hedy@example.test', role: 'lead' }],
    },
  });
  await h.emu.webhooks.configure(CLIENT_ID, { url: `${rx.url}/intercom/webhooks`, topics: topicList });
  rx.received.length = 0;
  h.emu.webhooks.clear();
  return h;
}

describe('saving the webhook URL', () => {
  test('sends a HEAD check and then a signed ping', async () => {
    rx = await receiver();
    const h = harness();
    await h.emu.webhooks.configure(CLIENT_ID, { url: `${rx.url}/intercom/webhooks`, topics: ['contact.user.created'] });
    expect(rx.received.map((r) => `${r.method} ${r.path}`)).toEqual(['HEAD /intercom/webhooks', 'POST /intercom/webhooks']);
    const ping = rx.received[1];
    expect(ping.headers['x-hub-signature']).toBe(expectedSignature(ping.body));
    expect(ping.headers['content-type']).toBe('application/json');
    expect(json(ping)).toMatchObject({ type: 'notification_event', topic: 'ping', data: { type: 'notification_event_data', item: { type: 'ping' } } });
    expect(h.emu.apps()[0].webhookStatus).toBe('verified');
  });

  test('is refused when the HEAD check does not answer 2xx, and no ping is sent', async () => {
    rx = await receiver((r) => new Response(null, { status: r.method === 'HEAD' ? 405 : 200 }));
    const h = harness();
    await expect(h.emu.webhooks.configure(CLIENT_ID, { url: rx.url, topics: [] })).rejects.toThrow(/HEAD .* 405/);
    expect(rx.received.map((r) => r.method)).toEqual(['HEAD']);
    expect(h.emu.apps()[0].webhookStatus).toBe('failed');
  });

  test('registering an app with a webhook URL checks it in the background; events wait and re-check', async () => {
    rx = await receiver();
    const h = harness();
    h.emu.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrls: ['http://127.0.0.1:1/cb'], webhookUrl: `${rx.url}/hooks`, topics: ['contact.user.created'] });
    h.emu.ui.createContact(h.idCode, { email: 'new@example.test' });
    await h.emu.webhooks.settle();
    expect(rx.received.map((r) => r.method)).toEqual(['HEAD', 'POST', 'POST']);
    expect(topics(rx).sort()).toEqual(['contact.user.created', 'ping']);
  });
});

describe('notifications', () => {
  test('tagging a user in the inbox delivers contact.user.tag.created in the documented envelope', async () => {
    const h = await subscribed(['contact.user.tag.created']);
    const grace = h.seed.contacts['grace@example.test'];
    h.emu.ui.tagContact(h.idCode, grace, 'Referrer');
    await h.emu.webhooks.settle();
    expect(posts(rx!)).toHaveLength(1);
    const [n] = posts(rx!);
    expect(n.headers['x-hub-signature']).toBe(expectedSignature(n.body));
    expect(n.headers['user-agent']).toBe('intercom-parrot-service-client/1.0');
    const body = json(n);
    expect(body).toMatchObject({
      type: 'notification_event', app_id: h.idCode, topic: 'contact.user.tag.created', delivery_attempts: 1, delivered_at: 0,
      delivery_status: 'pending', links: {},
      data: { type: 'notification_event_data', item: { type: 'contact_tag', tag: { type: 'tag', name: 'Referrer' }, contact: { type: 'contact', id: grace, email: 'grace@example.test' } } },
    });
    expect(body.id).toMatch(/^notif_[0-9a-f-]{36}$/);
    expect(body.first_sent_at).toBe(body.created_at);
  });

  test('API tagging fires too, leads get the lead topics, and untagging fires .deleted', async () => {
    const h = await subscribed(['contact.user.tag.created', 'contact.lead.tag.created', 'contact.lead.tag.deleted']);
    const tag = await h.client.tags.create({ name: 'Referred' });
    await h.client.tags.tagContact({ contact_id: h.seed.contacts['grace@example.test'], id: tag.id });
    const lead = h.seed.contacts['hedy@example.test'];
    await h.client.tags.tagContact({ contact_id: lead, id: tag.id });
    await h.client.tags.untagContact({ contact_id: lead, tag_id: tag.id });
    await h.client.tags.tagContact({ contact_id: lead, id: tag.id });
    await h.client.tags.tagContact({ contact_id: lead, id: tag.id }); // already tagged: no news
    await h.emu.webhooks.settle();
    expect(topics(rx!).sort()).toEqual(['contact.lead.tag.created', 'contact.lead.tag.created', 'contact.lead.tag.deleted', 'contact.user.tag.created']);
  });

  test('contact lifecycle topics fire only when subscribed', async () => {
    const h = await subscribed(['contact.user.created', 'contact.lead.created', 'contact.lead.signed_up', 'contact.deleted']);
    const user = await h.client.contacts.create({ email: 'u@example.test' });
    h.emu.ui.createContact(h.idCode, { role: 'lead', email: 'l@example.test' });
    await h.client.contacts.update({ contact_id: user.id, name: 'Renamed' }); // contact.user.updated not subscribed
    h.emu.ui.convertLead(h.idCode, h.seed.contacts['hedy@example.test']);
    await h.client.contacts.delete({ contact_id: user.id });
    await h.emu.webhooks.settle();
    expect(topics(rx!).sort()).toEqual(['contact.deleted', 'contact.lead.created', 'contact.lead.signed_up', 'contact.user.created']);
    const deleted = posts(rx!).map(json).find((b) => b.topic === 'contact.deleted');
    expect(deleted?.data.item).toMatchObject({ type: 'contact', id: user.id });
  });

  test('attribute changes reach apps subscribed to contact.user.updated with the new values', async () => {
    const h = await subscribed(['contact.user.updated']);
    h.emu.ui.updateAttribute(h.idCode, h.seed.contacts['grace@example.test'], 'referral_status', 'qualified');
    await h.emu.webhooks.settle();
    expect(json(posts(rx!)[0]).data.item.custom_attributes).toEqual({ referral_status: 'qualified' });
  });

  test('only workspaces that installed the app send it events, and uninstalling stops them', async () => {
    const h = await subscribed(['contact.user.created']);
    const other = h.emu.createWorkspace({ idCode: 'other001', name: 'Other' });
    h.emu.ui.createContact(other.idCode, { email: 'x@example.test' });
    h.emu.uninstall(CLIENT_ID, h.idCode);
    h.emu.ui.createContact(h.idCode, { email: 'y@example.test' });
    await h.emu.webhooks.settle();
    expect(posts(rx!)).toHaveLength(0);
    h.emu.installApp(CLIENT_ID, other.idCode);
    h.emu.ui.createContact(other.idCode, { email: 'z@example.test' });
    await h.emu.webhooks.settle();
    expect(posts(rx!).map((r) => json(r).app_id)).toEqual(['other001']);
  });
});

describe('delivery guarantees', () => {
  test('failed deliveries are retried; attempts count up, first_sent_at stays, each attempt is signed', async () => {
    let calls = 0;
    const h = await subscribed(['contact.user.created'], (r) => new Response(null, { status: r.method === 'POST' && json(r).topic !== 'ping' && ++calls <= 2 ? 503 : 200 }), { webhookRetryDelaysMs: [30, 60, 120] });
    h.emu.ui.createContact(h.idCode, { email: 'retry@example.test' });
    await h.emu.webhooks.settle();
    const attempts = posts(rx!).map(json);
    expect(attempts.map((b) => b.delivery_attempts)).toEqual([1, 2, 3]);
    expect(new Set(attempts.map((b) => b.id)).size).toBe(1);
    expect(new Set(attempts.map((b) => b.first_sent_at)).size).toBe(1);
    for (const r of posts(rx!)) expect(r.headers['x-hub-signature']).toBe(expectedSignature(r.body));
    expect(h.emu.webhooks.deliveries.map((d) => d.status)).toEqual([503, 503, 200]);
  });

  test('a receiver that keeps failing is given up on after the last retry', async () => {
    const h = await subscribed(['contact.user.created'], (r) => new Response(null, { status: r.method === 'POST' ? 500 : 200 }), { webhookRetryDelaysMs: [10] });
    h.emu.ui.createContact(h.idCode, { email: 'never@example.test' });
    await h.emu.webhooks.settle();
    expect(posts(rx!)).toHaveLength(2);
  });

  test('the duplicate knob sends the same notification id twice', async () => {
    const h = await subscribed(['contact.user.created']);
    h.emu.webhooks.setBehaviour({ duplicate: 1 });
    h.emu.ui.createContact(h.idCode, { email: 'dup@example.test' });
    await h.emu.webhooks.settle();
    const ids = posts(rx!).map((r) => json(r).id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(h.emu.webhooks.deliveries.filter((d) => d.duplicate)).toHaveLength(1);
  });

  test('the reorder knob delivers a burst newest first', async () => {
    const h = await subscribed(['contact.user.created']);
    h.emu.webhooks.setBehaviour({ reorder: true, reorderWindowMs: 20 });
    for (const e of ['a', 'b', 'c']) h.emu.ui.createContact(h.idCode, { email: `${e}@example.test` });
    await h.emu.webhooks.settle();
    const order = h.emu.webhooks.deliveries.filter((d) => d.kind === 'event').map((d) => JSON.parse(d.body).data.item.email);
    expect(order).toEqual(['c@example.test', 'b@example.test', 'a@example.test']);
  });

  test('settle waits for pending retries, and deliveries to an in-process app need no network', async () => {
    let n = 0;
    const h = harness({ webhookRetryDelaysMs: [50] });
    h.emu.setOutboundFetch(async (_input, init) => new Response(null, { status: init?.method === 'POST' && ++n === 2 ? 500 : 200 }));
    await h.emu.webhooks.configure(CLIENT_ID, { url: 'http://127.0.0.1:9/in-process', topics: ['contact.user.created'] });
    h.emu.ui.createContact(h.idCode, { email: 'p@example.test' });
    const t = Date.now();
    await h.emu.webhooks.settle();
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    expect(h.emu.webhooks.deliveries.map((d) => `${d.kind}:${d.status}`)).toEqual(['head:200', 'ping:200', 'event:500', 'event:200']);
  });
});

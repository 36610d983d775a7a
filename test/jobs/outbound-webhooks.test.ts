import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestApp, eventually, type TestApp } from '../support/app.ts';
import { startReceiver } from '../support/receiver.ts';
import { verifyRefcardSignature } from '../../server/platform/signatures.ts';
import { deliverWebhook } from '../../server/outbound/deliver.ts';
import { webhookDeliveries } from '../../server/db/schema.ts';

let t: TestApp;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp({ workers: true });
  campaignId = (await t.api('POST', '/api/v1/campaigns', { name: 'Hooks', reward_rules: [{ id: 'r', name: 'Ten', recipient: 'referrer', amountCents: 1000, currency: 'EUR' }] })).body.id;
});
afterAll(() => t?.stop());

describe('outbound webhooks', () => {
  it('delivers every event of a referral, signed, with a unique id per event', async () => {
    const rx = await startReceiver();
    const ep = await t.api('POST', '/api/v1/webhook-endpoints', { url: rx.url, description: 'CRM bridge' });
    expect(ep.status).toBe(201);
    expect(ep.body.secret).toMatch(/^whsec_/);
    const ref = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'ann@hooks.example' });
    await t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'bo@hooks.example', referral_code: ref.body.code });
    await t.api('POST', '/api/v1/leads/qualify', { campaign_id: campaignId, email: 'bo@hooks.example' });
    await t.api('POST', '/api/v1/leads/unqualify', { campaign_id: campaignId, email: 'bo@hooks.example' });
    await eventually(() => expect(rx.received.length).toBe(5));
    const events = rx.received.map((r) => JSON.parse(r.body));
    expect(events.map((e) => e.type).sort()).toEqual(['lead.created', 'lead.qualified', 'lead.unqualified', 'referrer.created', 'reward.issued']);
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    for (const r of rx.received) {
      expect(verifyRefcardSignature(ep.body.secret, r.body, r.headers['refcard-signature'] as string)).toEqual({ ok: true });
      expect(r.headers['refcard-event-id']).toBe(JSON.parse(r.body).id);
    }
    const qualified = events.find((e) => e.type === 'lead.qualified');
    expect(qualified.data.lead).toMatchObject({ email: 'bo@hooks.example', lead_status: 'qualified' });
    await t.api('DELETE', `/api/v1/webhook-endpoints/${ep.body.id}`);
    await rx.close();
  });

  it('retries a failed delivery with the same body and logs every attempt', async () => {
    const rx = await startReceiver([500, 503]);
    const ep = await t.api('POST', '/api/v1/webhook-endpoints', { url: rx.url, events: ['referrer.created'] });
    const before = rx.received.length;
    await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'retry@hooks.example' });
    const [{ id: deliveryId }] = await t.ctx.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, ep.body.id));
    // The in-process worker takes the first attempt; later ones are driven directly so the test
    // does not wait for the back-off.
    await eventually(async () => {
      const [d] = await t.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      expect(d!.attempts).toBeGreaterThanOrEqual(1);
    });
    for (;;) {
      const [d] = await t.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      if (d!.status === 'succeeded') break;
      await deliverWebhook(t.ctx, deliveryId).catch(() => {});
    }
    const [done] = await t.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    expect(done).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200, lastError: null });
    const bodies = rx.received.slice(before).map((r) => r.body);
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies).size).toBe(1);
    await rx.close();
  });

  it('only sends the event types an endpoint subscribed to', async () => {
    const rx = await startReceiver();
    await t.api('POST', '/api/v1/webhook-endpoints', { url: rx.url, events: ['lead.qualified'] });
    const ref = await t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'sub@hooks.example' });
    await t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'sub-lead@hooks.example', referral_code: ref.body.code });
    await t.api('POST', '/api/v1/leads/qualify', { campaign_id: campaignId, email: 'sub-lead@hooks.example' });
    await eventually(() => expect(rx.received.length).toBe(1));
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received.map((r) => JSON.parse(r.body).type)).toEqual(['lead.qualified']);
    await rx.close();
  });
});

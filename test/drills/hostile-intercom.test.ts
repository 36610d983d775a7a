import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eq, isNull } from 'drizzle-orm';
import { participants, rewards, webhookInbox, type Connection } from '../../server/db/schema.ts';
import { parseComponentId, parseStoredData, requestContact, requestStoredData, resolveSubmit, renderErrorCanvas, validateCanvasResponse, initializeResponse, submitResponse } from '../../intercom-canvas/index.ts';
import { eventually } from '../support/app.ts';
import { connectionOf, installThroughOAuth, startHarness, type Harness } from '../intercom/harness.ts';
import { signedInCookies } from '../intercom/session.ts';
import { hostileBodies, mutations, UNICODE } from './support/corpus.ts';
import { answerOf, canvasSignature, expectCanvasOrProblem, expectCleanJson, intercomWebhookSignature, withinTime, type Answer, type Body } from './support/signed.ts';

// Hostile input against what Intercom calls — the inbox app's initialize and submit, and webhook
// intake — signed with the app's secret so the parser is what gets tested. A canvas route answers
// any JSON object with a canvas the inbox renders (an error canvas at worst); a body that is not a
// JSON object is a 4xx problem. Webhook garbage that gets stored never blocks what comes after.

const W = 'hostilews';
let h: Harness;
let connection: Connection;
let leadId: string;
let leadContact: string;
let initBody: Record<string, any>;
let submitBody: Record<string, any>;

beforeAll(async () => {
  h = await startHarness();
  h.emu.createWorkspace({ idCode: W, name: 'Hostile Inc' });
  const seeded = h.emu.seedWorkspace(W, {
    tags: ['Customer'],
    contacts: [
      { email: 'ann@hostile.example', name: 'Ann Referrer', role: 'user' },
      { email: 'fred@friends.example', name: 'Fred Friend', role: 'lead' },
    ],
  });
  leadContact = seeded.contacts['fred@friends.example']!;
  h.emu.ui.createConversation(W, { contactIds: [leadContact] });
  const campaignId = (
    await h.t.api('POST', '/api/v1/campaigns', {
      name: 'Hostile',
      reward_rules: [{ id: 'r', name: '$10', recipient: 'referrer', amountCents: 1000, currency: 'USD' }],
      qualification_rules: [{ id: 'tag', kind: 'intercom_tag', tagId: seeded.tags.Customer, tagName: 'Customer' }],
    })
  ).body.id;
  const code = (await h.t.api('POST', '/api/v1/referrers', { campaign_id: campaignId, email: 'ann@hostile.example' })).body.code;
  leadId = (await h.t.api('POST', '/api/v1/leads', { campaign_id: campaignId, email: 'fred@friends.example', referral_code: code })).body.id;
  expect((await installThroughOAuth(h, W, { cookies: await signedInCookies(h, h.t.account.id) })).status).toBe(302);
  connection = await connectionOf(h, W);
  // Real bodies, as the inbox sends them, to mutate.
  const opened = await h.emu.canvas.initialize({ clientId: h.clientId, workspaceId: W, contactId: leadContact });
  expect(opened.shown).toBe('canvas');
  initBody = JSON.parse(opened.request.body);
  const clicked = await h.emu.canvas.click(opened, 'refresh');
  submitBody = JSON.parse(clicked.request.body);
}, 60_000);
afterAll(() => h?.stop());

async function post(path: string, body: Body, headers: Record<string, string>): Promise<Answer> {
  const res = h.t.app.request(path, { method: 'POST', body: body as BodyInit, headers: { 'content-type': 'application/json', ...headers } });
  return answerOf(await withinTime(`POST ${path}`, Promise.resolve(res)));
}
const canvas = (kind: 'initialize' | 'submit', body: Body) => post(`/intercom/canvas/${kind}`, body, { 'x-body-signature': canvasSignature(h.clientSecret, body) });
const hook = (body: Body) => post('/intercom/webhooks', body, { 'x-hub-signature': intercomWebhookSignature(h.clientSecret, body) });

describe('the inbox app with hostile input', () => {
  it('answers every malformed, oversized or unicode-heavy body with a canvas or a 4xx problem, never a 5xx', async () => {
    for (const kind of ['initialize', 'submit'] as const) {
      for (const { name, body } of hostileBodies()) expectCanvasOrProblem(await canvas(kind, body), kind, `${kind}: ${name}`);
    }
  });

  it('answers every wrongly typed field of a real initialize request with a valid canvas', async () => {
    const fields = ['workspace_id', 'workspace_region', 'app_id', 'admin', 'admin.id', 'admin.email', 'admin.name', 'contact', 'contact.id', 'contact.email', 'contact.name', 'contact.role', 'customer', 'conversation', 'conversation.id', 'context', 'context.location'];
    for (const m of mutations(initBody, fields)) {
      const a = await canvas('initialize', JSON.stringify(m.value));
      expect(a.status, `initialize: ${m.name} → ${a.text.slice(0, 200)}`).toBe(200);
      expectCanvasOrProblem(a, 'initialize', `initialize: ${m.name}`);
    }
  });

  it('answers every wrongly typed field of a real submit request with a valid canvas', async () => {
    const stored = submitBody.current_canvas?.current_canvas ? 'current_canvas.current_canvas.stored_data' : 'current_canvas.stored_data';
    const fields = ['component_id', 'input_values', 'input_values.reason', 'input_values.campaign', 'current_canvas', stored, `${stored}.contactId`, `${stored}.campaignId`, `${stored}.participantId`, 'contact', 'contact.id', 'customer', 'admin', 'workspace_id'];
    for (const m of mutations(submitBody, fields)) {
      const a = await canvas('submit', JSON.stringify(m.value));
      expect(a.status, `submit: ${m.name} → ${a.text.slice(0, 200)}`).toBe(200);
      expectCanvasOrProblem(a, 'submit', `submit: ${m.name}`);
    }
    for (const id of ['qualify:', 'qualify:' + 'x'.repeat(5000), `qualify:${leadId}:extra`, 'confirm_unqualify:', 'campaign', 'open_link', '__proto__', ...UNICODE.slice(0, 10).map((u) => `qualify:${u}`)]) {
      expectCanvasOrProblem(await canvas('submit', JSON.stringify({ ...submitBody, component_id: id })), 'submit', `submit: component ${id.slice(0, 30)}`);
    }
  });

  it('answers arbitrary signed JSON objects with a valid canvas (property)', async () => {
    const obj = fc.dictionary(fc.constantFrom('workspace_id', 'app_id', 'contact', 'customer', 'admin', 'component_id', 'input_values', 'current_canvas', 'conversation', 'x'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    const withWorkspace = obj.map((o) => ({ ...o, workspace_id: W }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(obj, withWorkspace, fc.jsonValue({ maxDepth: 2 }).map((v) => ({ ...initBody, contact: v }))), fc.constantFrom('initialize' as const, 'submit' as const), async (body, kind) => {
        const a = await canvas(kind, JSON.stringify(body));
        expect(a.status).toBe(200);
        expectCanvasOrProblem(a, kind, `${kind} (property)`);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the canvas builders and request readers, given anything (property)', () => {
  it('never throw, and what they return is well formed', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4, withNullPrototype: true, withSparseArray: true }), fc.anything({ maxDepth: 3 }), (a, b) => {
        const body = a && typeof a === 'object' ? (a as Record<string, unknown>) : { current_canvas: a, component_id: b };
        const contact = requestContact(body as never);
        expect(contact === null || (typeof contact.id === 'string' && contact.id.length > 0)).toBe(true);
        const stored = requestStoredData(body as never);
        expect(stored === null || typeof stored.contactId === 'string').toBe(true);
        const parsed = parseStoredData(b);
        expect(parsed === null || typeof parsed.contactId === 'string').toBe(true);
        if (typeof b === 'string') parseComponentId(b);
        const submit = resolveSubmit(body as never);
        expect(['action', 'unqualify_prompt', 'cancel', 'invalid']).toContain(submit.kind);
        if (submit.kind !== 'invalid') expect(typeof submit.contactId).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('wraps any error canvas in initialize and submit responses the inbox accepts', () => {
    const kinds = ['unknown_contact', 'no_email', 'disconnected', 'no_campaign', 'not_installed', 'error'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.option(fc.string({ unit: 'binary', maxLength: 3000 })), fc.option(fc.webUrl()), fc.boolean(), (kind, detail, consoleUrl, completed) => {
        const c = renderErrorCanvas({ kind, ...(detail !== null && { detail }), ...(consoleUrl !== null && { consoleUrl }) } as never);
        expect(validateCanvasResponse('initialize', initializeResponse(c)).errors).toEqual([]);
        expect(validateCanvasResponse('submit', submitResponse(c, { completed })).errors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Intercom webhook intake with hostile notifications', () => {
  const base = () => ({
    type: 'notification_event',
    app_id: W,
    id: `notif_${Math.random().toString(36).slice(2)}`,
    topic: 'contact.lead.tag.created',
    created_at: Math.floor(Date.now() / 1000),
    delivery_attempts: 1,
    data: { type: 'notification_event_data', item: { type: 'contact_tag', tag: { id: '1', name: 'Nope' }, contact: { type: 'contact', id: leadContact, role: 'lead' } } },
  });

  it('answers every malformed, oversized or unicode-heavy body with a 4xx problem or a 200, never a 5xx', async () => {
    for (const { name, body } of hostileBodies()) expectCleanJson(await hook(body), `webhook: ${name}`);
  });

  it('answers every wrongly typed field of a real notification with a 200 or a 4xx problem, never a 5xx', async () => {
    const fields = ['type', 'app_id', 'id', 'topic', 'created_at', 'data', 'data.item', 'data.item.id', 'data.item.tag', 'data.item.tag.id', 'data.item.contact', 'data.item.contact.id', 'data.item.custom_attributes'];
    for (const m of mutations(base(), fields)) expectCleanJson(await hook(JSON.stringify(m.value)), `webhook: ${m.name}`);
    for (const topic of ['contact.user.tag.created', 'contact.user.updated', 'contact.user.created', 'contact.lead.signed_up', 'contact.deleted', 'ping']) {
      for (const item of [null, 'x', 42, [], { id: 42 }, { id: '\u0000' }, { id: leadContact, tags: 'x', custom_attributes: [1] }]) {
        expectCleanJson(await hook(JSON.stringify({ ...base(), topic, data: { item } })), `webhook: ${topic} item ${JSON.stringify(item)}`);
      }
    }
  });

  it('qualifies a lead from a real tag notification sent after all that garbage: nothing stored blocks the inbox', async () => {
    h.emu.ui.tagContact(W, leadContact, 'Customer');
    await h.emu.webhooks.settle();
    await eventually(async () => {
      const [p] = await h.t.ctx.db.select().from(participants).where(eq(participants.id, leadId));
      expect(p!.leadStatus).toBe('qualified');
      expect(await h.t.ctx.db.select({ id: webhookInbox.id }).from(webhookInbox).where(isNull(webhookInbox.processedAt))).toEqual([]);
    }, 30_000);
    expect(await h.t.ctx.db.select().from(rewards).where(eq(rewards.leadId, leadId))).toHaveLength(1);
    expect((await connectionOf(h, W)).status).toBe(connection.status);
  });
});

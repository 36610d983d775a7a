// Canvas Kit driver: signed initialize/submit requests shaped like the inbox's, both contact
// and customer variants, validation of the app's canvases, and clicking through a flow.
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, harness, receiver, type Harness } from './harness.ts';
import { validateCanvasRequest, validateCanvasResponse, type Canvas } from './index.ts';

type Receiver = Awaited<ReturnType<typeof receiver>>;
let rx: Receiver;
let h: Harness;
let answer: (path: string, body: any) => Response;

const canvasJson = (canvas: unknown, extra: object = {}) => Response.json({ canvas, ...extra });

/** A canvas like Refcard's: header, stats table, a submit button, a link button, and an input. */
const referralCanvas = (participant: string): Canvas => ({
  content: {
    components: [
      { type: 'text', text: '*Referral*', style: 'header' },
      { type: 'data-table', items: [{ type: 'field-value', field: 'Referrals', value: '3' }, { type: 'field-value', field: 'Qualified', value: '1' }] },
      { type: 'input', id: 'note', label: 'Note', placeholder: 'Why?' },
      { type: 'checkbox', id: 'notify', label: 'Notify', option: [{ type: 'option', id: 'email', text: 'Email' }], value: ['email'] },
      { type: 'button', id: 'qualify', label: 'Qualify', action: { type: 'submit' } },
      { type: 'button', id: 'open_link', label: 'Open link', style: 'secondary', action: { type: 'url', url: 'http://127.0.0.1:3000/r/abc' } },
    ],
  },
  stored_data: { participant },
});

beforeEach(async () => {
  answer = (path) => canvasJson(path.endsWith('initialize') ? referralCanvas('p-1') : { content: { components: [{ type: 'text', text: 'Qualified', style: 'muted' }] } }, path.endsWith('submit') ? { event: { type: 'completed' } } : {});
  rx = await receiver((r) => answer(r.path, r.body ? JSON.parse(r.body) : null));
  h = harness({ fixture: { contacts: [{ email: 'grace@example.test', name: 'Grace', external_id: 'g-1' }], conversations: [{ contacts: ['grace@example.test'] }] } });
  h.emu.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrls: ['http://127.0.0.1:1/cb'], initializeUrl: `${rx.url}/intercom/canvas/initialize`, submitUrl: `${rx.url}/intercom/canvas/submit` });
});
afterEach(async () => { await rx.close(); });

const call = (o: { useCustomerKey?: boolean } = {}) => ({ clientId: CLIENT_ID, workspaceId: h.idCode, adminId: h.adminId, contactId: h.seed.contacts['grace@example.test'], ...o });

describe('requests the inbox sends', () => {
  test('initialize is a JSON POST signed with hex HMAC-SHA256 of the raw body under the client secret', async () => {
    const result = await h.emu.canvas.initialize(call());
    expect(result.ok).toBe(true);
    const [req] = rx.received;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-body-signature']).toBe(createHmac('sha256', CLIENT_SECRET).update(req.body, 'utf8').digest('hex'));
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      workspace_id: h.idCode, workspace_region: 'US', admin: { type: 'admin', id: h.adminId },
      contact: { type: 'contact', id: h.seed.contacts['grace@example.test'], external_id: 'g-1' },
      conversation: { type: 'conversation', id: h.seed.conversations[0] },
      context: { conversation_id: Number(h.seed.conversations[0]), location: 'conversation' },
      card_creation_options: {},
    });
    expect(validateCanvasRequest(body, 'initialize')).toEqual({ ok: true, errors: [] });
  });

  test('the customer variant names the viewed contact `customer` and sends no context', async () => {
    await h.emu.canvas.initialize(call({ useCustomerKey: true }));
    const body = JSON.parse(rx.received[0].body);
    expect(body.customer.id).toBe(h.seed.contacts['grace@example.test']);
    expect(body).not.toHaveProperty('contact');
    expect(body).not.toHaveProperty('context');
  });

  test('clicking a button submits its id, the canvas inputs and the canvas with stored_data', async () => {
    const first = await h.emu.canvas.initialize(call());
    expect(h.emu.canvas.findComponent(first, 'qualify')).toMatchObject({ type: 'button', label: 'Qualify' });
    const second = await h.emu.canvas.click(first, 'qualify', { note: 'Signed the contract' });
    expect(second).toMatchObject({ ok: true, shown: 'canvas', event: { type: 'completed' } });
    const req = rx.received[1];
    expect(req.path).toBe('/intercom/canvas/submit');
    expect(req.headers['x-body-signature']).toBe(createHmac('sha256', CLIENT_SECRET).update(req.body).digest('hex'));
    const body = JSON.parse(req.body);
    expect(body.component_id).toBe('qualify');
    expect(body.input_values).toEqual({ note: 'Signed the contract', notify: ['email'] });
    expect(body.current_canvas.current_canvas.stored_data).toEqual({ participant: 'p-1' }); // schema's nesting
    expect(validateCanvasRequest(body, 'submit')).toEqual({ ok: true, errors: [] });
  });

  test('with the customer variant current_canvas is the canvas itself', async () => {
    const first = await h.emu.canvas.initialize(call({ useCustomerKey: true }));
    await h.emu.canvas.click(first, 'qualify');
    const body = JSON.parse(rx.received[1].body);
    expect(body.current_canvas.stored_data).toEqual({ participant: 'p-1' });
    expect(body.customer.id).toBe(h.seed.contacts['grace@example.test']);
    expect(body.input_values).toEqual({ note: '', notify: ['email'] });
  });

  test('submit can be called directly with explicit values', async () => {
    const r = await h.emu.canvas.submit({ ...call(), componentId: 'qualify', inputValues: { note: 'x' }, currentCanvas: referralCanvas('p-9') });
    expect(r.ok).toBe(true);
    expect(JSON.parse(rx.received[0].body).current_canvas.current_canvas.stored_data.participant).toBe('p-9');
  });
});

describe('judging the answers', () => {
  test('a Refcard-style canvas, and a list whose items carry images, are valid', () => {
    expect(validateCanvasResponse({ canvas: referralCanvas('p') }, 'initialize')).toEqual({ ok: true, errors: [] });
    const list = { type: 'list', items: [{ type: 'item', id: 'i1', title: 'A', image: 'http://127.0.0.1/a.png', image_width: 24, image_height: 24 }, { type: 'item', id: 'i2', title: 'B' }] };
    expect(validateCanvasResponse({ canvas: { content: { components: [list] } } }).ok).toBe(true);
    expect(validateCanvasResponse({ canvas: { content: { components: [] } }, event: { type: 'completed' } }, 'submit').ok).toBe(true);
  });

  test.each([
    ['an unknown component type', { content: { components: [{ type: 'marquee', text: 'hi' }] } }, /unknown component type "marquee"/],
    ['a button without id', { content: { components: [{ type: 'button', label: 'Go', action: { type: 'submit' } }] } }, /required property 'id'/],
    ['a sheet action', { content: { components: [{ type: 'button', id: 'b', label: 'Go', action: { type: 'sheet', url: 'http://127.0.0.1/s' } }] } }, /sheet action/],
    ['content over 64 KB', { content: { components: [{ type: 'text', text: 'x'.repeat(66_000) }] } }, /content is \d+ bytes/],
    ['stored_data over 64 KB', { content: { components: [] }, stored_data: { blob: 'x'.repeat(66_000) } }, /stored_data is \d+ bytes/],
    ['duplicate component ids', { content: { components: [{ type: 'input', id: 'a' }, { type: 'button', id: 'a', label: 'A', action: { type: 'submit' } }] } }, /reuses id "a"/],
    ['a live canvas', { content_url: 'http://127.0.0.1/live' }, /content_url|required property 'content'/],
    ['an unknown action type', { content: { components: [{ type: 'button', id: 'b', label: 'B', action: { type: 'teleport' } }] } }, /must match exactly one schema|must be equal to one of/],
  ])('rejects %s', (_name, canvas, reason) => {
    const v = validateCanvasResponse({ canvas }, 'initialize');
    expect(v.ok).toBe(false);
    expect(v.errors.join('\n')).toMatch(reason);
  });

  test('a response without a canvas, or with an event other than completed, is invalid', () => {
    expect(validateCanvasResponse({}, 'initialize').ok).toBe(false);
    expect(validateCanvasResponse({ canvas: { content: { components: [] } }, event: { type: 'done' } }, 'submit').ok).toBe(false);
  });

  test('non-2xx, non-JSON and invalid canvases show "Something went wrong" with the reason', async () => {
    answer = () => new Response('boom', { status: 500 });
    expect(await h.emu.canvas.initialize(call())).toMatchObject({ ok: false, shown: 'Something went wrong', status: 500, errors: ['HTTP 500'] });
    answer = () => new Response('<html>', { status: 200 });
    expect((await h.emu.canvas.initialize(call())).errors).toEqual(['response is not JSON']);
    answer = () => canvasJson({ content: { components: [{ type: 'button', label: 'no id', action: { type: 'submit' } }] } });
    const invalid = await h.emu.canvas.initialize(call());
    expect(invalid.shown).toBe('Something went wrong');
    expect(invalid.errors.join()).toContain("required property 'id'");
  });

  test('an app slower than the inbox waits shows "Something went wrong"', async () => {
    h.emu.setOutboundFetch((input, init) => new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve(canvasJson(referralCanvas('p'))), 500);
      init?.signal?.addEventListener('abort', () => { clearTimeout(t); reject(init.signal!.reason); });
    }));
    const r = await h.emu.canvas.initialize({ ...call(), timeoutMs: 50 });
    expect(r).toMatchObject({ ok: false, shown: 'Something went wrong', errors: ['no answer within 50 ms'] });
  });
});

describe('helpers', () => {
  test('input values follow Intercom: strings for inputs, option ids for selects, arrays for checkboxes', () => {
    const canvas: Canvas = { content: { components: [
      { type: 'input', id: 'a', value: 'typed' },
      { type: 'textarea', id: 'b' },
      { type: 'single-select', id: 'c', value: 'opt2', options: [{ type: 'option', id: 'opt1', text: '1' }, { type: 'option', id: 'opt2', text: '2' }] },
      { type: 'dropdown', id: 'd', options: [{ type: 'option', id: 'x', text: 'X' }, { type: 'option', id: 'y', text: 'Y' }] },
      { type: 'checkbox', id: 'e', label: 'E', option: [{ type: 'option', id: 'z', text: 'Z' }] },
      { type: 'button', id: 'go', label: 'Go', action: { type: 'submit' } },
    ] } };
    expect(h.emu.canvas.inputValuesFrom(canvas, { d: 'y' })).toEqual({ a: 'typed', b: '', c: 'opt2', d: 'y', e: [] });
    expect(h.emu.canvas.findComponent(canvas, 'nope')).toBeUndefined();
  });
});

// Plays the Intercom inbox for a Canvas Kit app: POSTs signed initialize/submit requests with
// the bodies a teammate's sidebar produces, and judges the answers as the inbox would (anything
// invalid renders "Something went wrong"). Helpers let tests "click" components.
import { renderContact } from './contact-view.ts';
import { renderConversation } from './conversations.ts';
import { validateCanvasResponse, type CanvasKind } from './canvas-validate.ts';
import { canvasSignature } from './signing.ts';
import type { ContactRec, Store, WorkspaceRec } from './state.ts';

export interface Canvas { content?: { components: CanvasComponent[] }; stored_data?: Record<string, unknown>; [k: string]: unknown }
export interface CanvasComponent { type: string; id?: string; [k: string]: unknown }

export interface CanvasCallOptions {
  clientId?: string;
  /** Alias of clientId. */
  appId?: string;
  workspaceId: string;
  adminId?: string;
  contactId: string;
  /** Defaults to the contact's most recent conversation. */
  conversationId?: string;
  /**
   * Intercom's HTML docs name the viewed contact `customer` (and send no `context`/`user`);
   * its OpenAPI Canvas Kit schema says `contact` (with both). Test both.
   */
  useCustomerKey?: boolean;
  /** `nested` = `{ current_canvas: { current_canvas: Canvas } }` as in the schema; default: nested with `contact`, flat with `customer`. */
  currentCanvasShape?: 'flat' | 'nested';
  locale?: string;
  /** The inbox's patience; Intercom's real limit is undocumented (10 s assumed). */
  timeoutMs?: number;
}

export interface SubmitOptions extends CanvasCallOptions {
  componentId: string;
  inputValues?: Record<string, unknown>;
  currentCanvas: Canvas | CanvasResult;
}

export interface CanvasResult {
  kind: CanvasKind;
  ok: boolean;
  /** What the teammate sees. */
  shown: 'canvas' | 'Something went wrong';
  status: number;
  canvas: Canvas | null;
  event: { type: string } | null;
  response: unknown;
  rawResponse: string;
  errors: string[];
  durationMs: number;
  request: { url: string; body: string; headers: Record<string, string> };
  /** The options used, so a follow-up submit can reuse them. */
  options: CanvasCallOptions;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const INTERACTIVE = new Set(['input', 'textarea', 'single-select', 'dropdown', 'checkbox']);

export const canvasOf = (c: Canvas | CanvasResult | null | undefined): Canvas | null =>
  !c ? null : 'kind' in c && 'shown' in c ? (c as CanvasResult).canvas : (c as Canvas);

export function findComponent(source: Canvas | CanvasResult | null, id: string): CanvasComponent | undefined {
  for (const comp of canvasOf(source)?.content?.components ?? []) {
    if (comp.id === id) return comp;
    if (comp.type === 'list' && Array.isArray(comp.items)) {
      const item = (comp.items as CanvasComponent[]).find((i) => i.id === id);
      if (item) return item;
    }
  }
  return undefined;
}

/** What Intercom sends as `input_values`: every interactive component's current value. */
export function inputValuesFrom(source: Canvas | CanvasResult | null, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const comp of canvasOf(source)?.content?.components ?? []) {
    if (!comp.id || !INTERACTIVE.has(comp.type)) continue;
    if (comp.type === 'checkbox') values[comp.id] = Array.isArray(comp.value) ? comp.value : [];
    else if (comp.value !== undefined) values[comp.id] = comp.value;
    else if (comp.type === 'input' || comp.type === 'textarea') values[comp.id] = '';
  }
  return { ...values, ...overrides };
}

export class CanvasDriver {
  constructor(private readonly store: Store, private readonly fetchFn: () => typeof fetch) {}

  validate(body: unknown, kind: CanvasKind = 'initialize') {
    return validateCanvasResponse(body, kind);
  }

  findComponent = findComponent;
  inputValuesFrom = inputValuesFrom;

  /** The JSON body an inbox would POST (exposed so tests can check it against the schema). */
  requestBody(kind: CanvasKind, o: CanvasCallOptions | SubmitOptions): Record<string, unknown> {
    const ws = this.store.workspace(o.workspaceId);
    const contact = ws.contacts.get(o.contactId);
    if (!contact) throw new Error(`Intercom emulator: no contact ${o.contactId} in workspace ${ws.id_code}`);
    const conv = this.conversationFor(ws, contact, o.conversationId);
    const adminRec = ws.admins.get(o.adminId ?? '') ?? [...ws.admins.values()][0];
    if (!adminRec) throw new Error(`Intercom emulator: workspace ${ws.id_code} has no admins`);
    const admin = {
      type: 'admin', id: adminRec.id, name: adminRec.name, email: adminRec.email, job_title: adminRec.job_title,
      away_mode_enabled: adminRec.away_mode_enabled, away_mode_reassign: adminRec.away_mode_reassign,
      has_inbox_seat: adminRec.has_inbox_seat, team_ids: adminRec.team_ids, avatar: null,
    };
    const body: Record<string, unknown> = { workspace_id: ws.id_code, workspace_region: ws.region, admin };
    const contactJson = renderContact(ws, contact);
    if (o.useCustomerKey) body.customer = contactJson;
    else {
      body.contact = contactJson;
      body.context = {
        conversation_id: Number(conv.id), location: 'conversation', locale: o.locale ?? 'en',
        messenger_action_colour: '#0057ff', messenger_background_colour: '#f2f6ff',
      };
    }
    body.conversation = renderConversation(ws, conv);
    if (kind === 'initialize') {
      if (!o.useCustomerKey) body.card_creation_options = {};
      return body;
    }
    const s = o as SubmitOptions;
    const canvas = canvasOf(s.currentCanvas) ?? { content: { components: [] } };
    const nested = (s.currentCanvasShape ?? (s.useCustomerKey ? 'flat' : 'nested')) === 'nested';
    body.component_id = s.componentId;
    body.input_values = s.inputValues ?? inputValuesFrom(canvas);
    body.current_canvas = nested ? { current_canvas: canvas } : canvas;
    if (!o.useCustomerKey) body.user = contactJson;
    return body;
  }

  private conversationFor(ws: WorkspaceRec, contact: ContactRec, id?: string) {
    if (id) {
      const conv = ws.conversations.get(id);
      if (!conv) throw new Error(`Intercom emulator: no conversation ${id} in workspace ${ws.id_code}`);
      return conv;
    }
    const mine = [...ws.conversations.values()].filter((c) => c.contact_ids.includes(contact.id));
    const conv = mine[mine.length - 1];
    if (!conv) throw new Error(`Intercom emulator: contact ${contact.id} has no conversation; create one or pass conversationId`);
    return conv;
  }

  initialize(o: CanvasCallOptions): Promise<CanvasResult> {
    return this.call('initialize', o);
  }

  submit(o: SubmitOptions): Promise<CanvasResult> {
    return this.call('submit', o);
  }

  /** Clicks a component of a previous result, sending that canvas's values (plus overrides). */
  click(previous: CanvasResult, componentId: string, inputOverrides: Record<string, unknown> = {}): Promise<CanvasResult> {
    if (!previous.canvas) throw new Error('Intercom emulator: the previous result shows no canvas to click on');
    if (!findComponent(previous.canvas, componentId)) throw new Error(`Intercom emulator: no component "${componentId}" on the canvas`);
    return this.submit({
      ...previous.options, componentId, currentCanvas: previous.canvas, inputValues: inputValuesFrom(previous.canvas, inputOverrides),
    });
  }

  private async call(kind: CanvasKind, o: CanvasCallOptions | SubmitOptions): Promise<CanvasResult> {
    const clientId = o.clientId ?? o.appId;
    if (!clientId) throw new Error('Intercom emulator: canvas calls need clientId (or appId)');
    const app = this.store.app(clientId);
    const url = kind === 'initialize' ? app.initialize_url : app.submit_url;
    if (!url) throw new Error(`Intercom emulator: app ${clientId} has no ${kind} URL`);
    const body = JSON.stringify(this.requestBody(kind, o));
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': 'Intercom-Canvas-Kit/1.0',
      'X-Body-Signature': canvasSignature(app.client_secret, body),
    };
    const started = Date.now();
    const base = { kind, request: { url, body, headers }, options: stripSubmit(o) };
    let status = 0;
    let raw = '';
    try {
      const res = await this.fetchFn()(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
      status = res.status;
      raw = await res.text();
    } catch (e) {
      const reason = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` : `request failed: ${String(e)}`;
      return fail(base, status, raw, undefined, [reason], started);
    }
    if (status < 200 || status >= 300) return fail(base, status, raw, undefined, [`HTTP ${status}`], started);
    let parsed: unknown;
    try { parsed = JSON.parse(raw); } catch { return fail(base, status, raw, undefined, ['response is not JSON'], started); }
    const verdict = validateCanvasResponse(parsed, kind);
    if (!verdict.ok) return fail(base, status, raw, parsed, verdict.errors, started);
    const p = parsed as { canvas: Canvas; event?: { type: string } };
    return { ...base, ok: true, shown: 'canvas', status, canvas: p.canvas, event: p.event ?? null, response: parsed, rawResponse: raw, errors: [], durationMs: Date.now() - started };
  }
}

function stripSubmit(o: CanvasCallOptions | SubmitOptions): CanvasCallOptions {
  const { componentId: _c, inputValues: _i, currentCanvas: _cc, ...rest } = o as SubmitOptions;
  return rest;
}

function fail(
  base: Pick<CanvasResult, 'kind' | 'request' | 'options'>, status: number, raw: string, response: unknown, errors: string[], started: number,
): CanvasResult {
  return { ...base, ok: false, shown: 'Something went wrong', status, canvas: null, event: null, response, rawResponse: raw, errors, durationMs: Date.now() - started };
}

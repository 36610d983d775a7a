/** @jsxImportSource hono/jsx */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppContext } from '../../context.ts';
import type { Sandbox } from '../start.ts';
import type { Canvas } from '../../../test/emulators/intercom/index.ts';
import { CSP, Document, FlashMessage } from '../../admin/layout.tsx';
import { setFlash, takeFlash, type Flash } from '../../admin/flash.ts';
import { sameSite } from '../../admin/guard.ts';
import { renderCard, type CardResult, type Step } from './card-host.ts';
import { CardTree } from './card-html.tsx';
import { CanvasView, type CanvasJson } from './canvas-html.tsx';
import { HubspotRecord, IntercomContactPanel, hubspotContacts, intercomContacts } from './crm-panels.tsx';
import { settleLoop } from './settle.ts';
import { SANDBOX_CSS } from './sandbox-css.ts';

// `/sandbox` (sandbox mode only): a HubSpot contact record with the real Refcard card, an
// Intercom inbox with the real canvas, and the CRM-side controls (move a deal, tag a contact) that
// make webhooks flow, so a newcomer watches a referral qualify and the CRM fields change.

interface CanvasState {
  canvas: CanvasJson | null;
  shown: string;
  errors: string[];
}

export function sandboxRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  // A page, not problem+json: whoever sees this is in a browser.
  app.onError((err, c) => {
    ctx.log.error({ err, path: c.req.path }, 'sandbox page error');
    c.header('content-security-policy', CSP);
    return c.html(
      <Document title="Sandbox error">
        <main class="narrow" id="content">
          <h1>The sandbox hit a problem</h1>
          <p>{err.message}</p>
          <p>
            <a href="/sandbox">Back to the sandbox</a>
          </p>
        </main>
      </Document>,
      500,
    );
  });
  app.get('/sandbox/assets/sandbox.css', (c) => c.body(SANDBOX_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }));
  app.use('/sandbox', ready(ctx));
  app.use('/sandbox/*', ready(ctx), bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.text('This form is too large.', 413) }));

  app.get('/sandbox', async (c) => page(ctx, c, pick(ctx.sandbox!, c.req.query()), { steps: parseSteps(c.req.query('st') ?? ''), canvas: null }));

  // The card's buttons: replay the click on the real card; actions redirect, UI changes render.
  app.post('/sandbox/hubspot/card', async (c) => {
    const s = ctx.sandbox!;
    const form = await c.req.parseBody();
    const sel = pick(s, { hs: str(form.hs), ic: str(form.ic) });
    if (sel.hs === null) return c.redirect('/sandbox', 303);
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (k.startsWith('v:') && typeof v === 'string') values[k.slice(2)] = v.slice(0, 500);
    const result = await renderCard(ctx, s, { contactId: sel.hs, steps: parseSteps(str(form.steps)), values, press: pressOf(str(form.press), values) });
    // The card's alerts (HubSpot shows them as toasts) become the page's message.
    const a = result.alerts.at(-1);
    const notice: Flash | null = a ? { type: a.type === 'danger' ? 'danger' : a.type === 'warning' ? 'warning' : 'success', message: `HubSpot card: ${[a.title, a.message].filter(Boolean).join(': ')}` } : null;
    if (result.acted) {
      if (notice) setFlash(c, notice);
      return c.redirect(`/sandbox?${qs(sel, result.steps)}`, 303);
    }
    return page(ctx, c, sel, { steps: result.steps, canvas: null, card: result, notice });
  });

  // The canvas's buttons: the emulated inbox sends Intercom's signed submit request.
  app.post('/sandbox/intercom/submit', async (c) => {
    const s = ctx.sandbox!;
    const form = await c.req.parseBody();
    const sel = pick(s, { hs: str(form.hs), ic: str(form.ic) });
    if (!sel.ic) return c.redirect(`/sandbox?${qs(sel)}`, 303);
    const current = parseCanvas(str(form.canvas));
    const inputValues: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (k.startsWith('in:') && typeof v === 'string') inputValues[k.slice(3)] = v;
    const r = await s.intercom.canvas.submit({ clientId: s.intercomApp.clientId, workspaceId: s.workspaceId, contactId: sel.ic, componentId: str(form.component), inputValues, currentCanvas: (current ?? { content: { components: [] } }) as Canvas });
    return page(ctx, c, sel, { steps: [], canvas: { canvas: r.canvas as CanvasJson | null, shown: r.shown, errors: r.errors } });
  });

  app.post('/sandbox/intercom/conversation', async (c) => {
    const s = ctx.sandbox!;
    const form = await c.req.parseBody();
    const sel = pick(s, { hs: str(form.hs), ic: str(form.ic) });
    if (sel.ic) s.intercom.ui.createConversation(s.workspaceId, { contactIds: [sel.ic], body: '<p>Hi! I signed up through a friend’s link. Can you tell me more?</p>' });
    return c.redirect(`/sandbox?${qs(sel)}#inbox`, 303);
  });

  app.post('/sandbox/hubspot/deals/:dealId/stage', async (c) => {
    const s = ctx.sandbox!;
    const form = await c.req.parseBody();
    const sel = pick(s, { hs: str(form.hs), ic: str(form.ic) });
    const [pipelineId, stageId] = str(form.stage).split('::');
    const dealId = Number(c.req.param('dealId'));
    const portal = s.hubspot.portal(s.portalId);
    const stage = portal.pipelines.find((p) => p.id === pipelineId)?.stages.find((x) => x.id === stageId);
    if (!portal.deal(dealId) || !stage) return flashBack(c, sel, 'danger', 'That deal or stage does not exist in the portal.');
    s.hubspot.ui.moveDealStage(s.portalId, dealId, stageId!, { pipelineId });
    const waited = await settleLoop(ctx, s);
    return flashBack(c, sel, 'success', `HubSpot: “${portal.deal(dealId)?.properties.dealname}” moved to ${stage.label}. ${outcome(waited)}`);
  });

  app.post('/sandbox/hubspot/deals', async (c) => {
    const s = ctx.sandbox!;
    const form = await c.req.parseBody();
    const sel = pick(s, { hs: str(form.hs), ic: str(form.ic) });
    const [pipelineId, stageId] = str(form.stage).split('::');
    if (!sel.hs || !pipelineId || !stageId) return flashBack(c, sel, 'danger', 'Choose a contact and a stage.');
    const name = str(form.dealname).trim().slice(0, 100) || 'New deal';
    s.hubspot.ui.createDeal(s.portalId, { dealname: name, pipeline: pipelineId, dealstage: stageId, amount: '1000' }, { contacts: [sel.hs] });
    const waited = await settleLoop(ctx, s);
    return flashBack(c, sel, 'success', `HubSpot: deal “${name}” created with this contact. ${outcome(waited)}`);
  });

  app.post('/sandbox/intercom/tag', async (c) => {
    const s = ctx.sandbox!;
    const form = await c.req.parseBody();
    const sel = pick(s, { hs: str(form.hs), ic: str(form.ic) });
    const tag = str(form.tag).trim().slice(0, 80);
    if (!sel.ic || !tag) return flashBack(c, sel, 'danger', 'Type a tag to apply.');
    s.intercom.ui.tagContact(s.workspaceId, sel.ic, tag);
    const waited = await settleLoop(ctx, s);
    return flashBack(c, sel, 'success', `Intercom: tagged “${tag}”. ${outcome(waited)}`);
  });

  return app;
}

/** Until the sandbox has finished seeding (right after start), say so instead of failing. */
function ready(ctx: AppContext): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path.startsWith('/sandbox/assets/')) return next();
    if (!ctx.sandbox) return c.text('The sandbox is still starting; reload in a few seconds.', 503, { 'retry-after': '2' });
    // No session here, so no token: refuse what another site's page would send.
    if (c.req.method === 'POST' && !sameSite(ctx, c)) return c.text('This request came from another site.', 403);
    c.header('content-security-policy', CSP);
    c.header('cache-control', 'no-store');
    await next();
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const outcome = (w: { ms: number; settled: boolean }) =>
  w.settled ? `Webhooks delivered and applied by Refcard in ${(w.ms / 1000).toFixed(1)} s.` : 'Refcard is still working on it; refresh in a moment.';

interface Selection {
  hs: number | null;
  ic: string | null;
}

/** Which HubSpot and Intercom contacts to show: as asked, else the same email in both, else the first. */
function pick(s: Sandbox, q: Record<string, string | undefined>): Selection {
  const hsAll = hubspotContacts(s);
  const icAll = intercomContacts(s);
  const email = q.email?.toLowerCase();
  const hs = hsAll.find((x) => String(x.id) === q.hs) ?? (email ? hsAll.find((x) => x.email?.toLowerCase() === email) : undefined) ?? hsAll[0];
  const icByEmail = (e: string | null | undefined) => (e ? icAll.find((x) => x.email?.toLowerCase() === e.toLowerCase()) : undefined);
  const ic = icAll.find((x) => x.id === q.ic) ?? icByEmail(email) ?? icByEmail(hs?.email) ?? icAll.find((x) => x.hasConversation) ?? icAll[0];
  return { hs: hs?.id ?? null, ic: ic?.id ?? null };
}

const qs = (sel: Selection, steps: Step[] = []) =>
  new URLSearchParams({ ...(sel.hs !== null && { hs: String(sel.hs) }), ...(sel.ic && { ic: sel.ic }), ...(steps.length && { st: JSON.stringify(steps) }) }).toString();

function flashBack(c: Context, sel: Selection, type: 'success' | 'danger', message: string) {
  setFlash(c, { type, message });
  return c.redirect(`/sandbox?${qs(sel)}`, 303);
}

function pressOf(press: string, values: Record<string, string>): Step | null {
  if (!press) return null;
  if (press.startsWith('change:')) {
    const testId = press.slice('change:'.length);
    return { testId, event: 'onChange', value: values[testId] ?? '' };
  }
  return { testId: press, event: 'onClick' };
}

function parseSteps(raw: string): Step[] {
  try {
    const v = JSON.parse(raw || '[]') as unknown;
    if (!Array.isArray(v)) return [];
    return v
      .filter((x): x is Step => typeof x === 'object' && x !== null && typeof x.testId === 'string' && (x.event === 'onClick' || x.event === 'onChange'))
      .slice(0, 10)
      .map((x) => ({ testId: x.testId.slice(0, 100), event: x.event, ...(typeof x.value === 'string' && { value: x.value.slice(0, 500) }) }));
  } catch {
    return [];
  }
}

function parseCanvas(raw: string): CanvasJson | null {
  if (!raw || raw.length > 64 * 1024) return null;
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null ? (v as CanvasJson) : null;
  } catch {
    return null;
  }
}

async function page(ctx: AppContext, c: Context, sel: Selection, state: { steps: Step[]; canvas: CanvasState | null; card?: CardResult | null; notice?: Flash | null }) {
  const s = ctx.sandbox!;
  const flash = state.notice ?? takeFlash(c);
  const hsAll = hubspotContacts(s);
  const icAll = intercomContacts(s);
  const icSel = icAll.find((x) => x.id === sel.ic);
  const card = state.card ?? (sel.hs !== null ? await renderCard(ctx, s, { contactId: sel.hs, steps: state.steps, values: {}, press: null }) : null);
  let canvas = state.canvas;
  if (!canvas && icSel?.hasConversation) {
    const r = await s.intercom.canvas.initialize({ clientId: s.intercomApp.clientId, workspaceId: s.workspaceId, contactId: icSel.id });
    canvas = { canvas: r.canvas as CanvasJson | null, shown: r.shown, errors: r.errors };
  }
  const hsSel = hsAll.find((x) => x.id === sel.hs);
  return c.html(
    <Document title="Sandbox" script>
      <link rel="stylesheet" href="/sandbox/assets/sandbox.css" />
      <header class="sandbox-bar">
        <h1>Refcard sandbox</h1> — HubSpot and Intercom are emulated on this machine. <a href="/admin">Open the console</a> · <a href="/api/docs">API docs</a>
      </header>
      <main id="content" class="sandbox">
        <FlashMessage flash={flash} />
        <div id="live" class="sr-only" aria-live="polite"></div>
        <form method="get" action="/sandbox" class="actions pickers">
          <div>
            <label for="pick-hs">HubSpot contact</label>
            <select id="pick-hs" name="hs">
              {hsAll.map((x) => (
                <option value={String(x.id)} selected={x.id === sel.hs}>
                  {x.label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="pick-ic">Intercom contact</label>
            <select id="pick-ic" name="ic">
              {icAll.map((x) => (
                <option value={x.id} selected={x.id === sel.ic}>
                  {x.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Show</button>
          <a href={`/sandbox?${qs(sel)}`}>Refresh</a>
        </form>

        <section aria-labelledby="hubspot" class="crm hubspot">
          <h2 id="hubspot">HubSpot · contact record{hsSel ? `: ${hsSel.label}` : ''}</h2>
          {sel.hs === null ? (
            <p>The demo portal has no contacts.</p>
          ) : (
            <div class="record">
              <div class="record-main">
                <HubspotRecord s={s} contactId={sel.hs} />
              </div>
              <aside class="hs-card" aria-label="Refcard card (the real HubSpot card component)">
                <p class="card-title">Refcard</p>
                {card ? (
                  <form method="post" action="/sandbox/hubspot/card" data-testid="hubspot-card">
                    <input type="hidden" name="hs" value={String(sel.hs)} />
                    <input type="hidden" name="ic" value={sel.ic ?? ''} />
                    <input type="hidden" name="steps" value={JSON.stringify(card.steps)} />
                    <CardTree root={card.root} opts={{ copies: card.copies }} />
                  </form>
                ) : null}
              </aside>
            </div>
          )}
        </section>

        <section aria-labelledby="inbox" class="crm intercom">
          <h2 id="inbox">Intercom · inbox{icSel ? `: ${icSel.label}` : ''}</h2>
          {!icSel ? (
            <p>The demo workspace has no contacts.</p>
          ) : (
            <div class="record">
              <div class="record-main">
                <IntercomContactPanel s={s} contactId={icSel.id} />
              </div>
              <aside class="ic-canvas" aria-label="Refcard inbox app (the real canvas)">
                <p class="card-title">Refcard</p>
                {!icSel.hasConversation ? (
                  <form method="post" action="/sandbox/intercom/conversation">
                    <input type="hidden" name="hs" value={String(sel.hs ?? '')} />
                    <input type="hidden" name="ic" value={icSel.id} />
                    <p>The inbox app shows beside a conversation, and this contact has none.</p>
                    <button type="submit">Start a conversation from this contact</button>
                  </form>
                ) : canvas?.canvas ? (
                  <form method="post" action="/sandbox/intercom/submit" data-testid="intercom-canvas">
                    <input type="hidden" name="hs" value={String(sel.hs ?? '')} />
                    <input type="hidden" name="ic" value={icSel.id} />
                    <input type="hidden" name="canvas" value={JSON.stringify(canvas.canvas)} />
                    <CanvasView canvas={canvas.canvas} />
                  </form>
                ) : (
                  <div role="alert">
                    <p>{canvas?.shown ?? 'Something went wrong'}</p>
                    <ul>
                      {(canvas?.errors ?? []).map((e) => (
                        <li class="muted">{e}</li>
                      ))}
                    </ul>
                  </div>
                )}
              </aside>
            </div>
          )}
        </section>
      </main>
    </Document>,
  );
}

import { createElement } from 'react';
import { hubspot, Button, LoadingSpinner, Select, TextArea } from '@hubspot/ui-extensions';
import { createRenderer, type RenderedRootNode } from '@hubspot/ui-extensions/testing';
import { ReferralCard } from '../../../hubspot-app/src/app/cards/components/ReferralCard.tsx';
import { API_BASE } from '../../../hubspot-app/src/app/cards/lib/config.ts';
import type { AppContext } from '../../context.ts';
import type { Sandbox } from '../start.ts';

// Hosts the real HubSpot CRM card (the same ReferralCard component that ships in hubspot-app/)
// the way HubSpot's iframe would: rendered with the UI-extensions test renderer, its
// `hubspot.fetch` answered by the HubSpot emulator's card driver, which signs every call as
// HubSpot does and sends it to this server. Nothing of the card is re-implemented here.
//
// The page is stateless: a click is replayed on a fresh render. Clicks that only change the
// card's own state (opening the unqualify form, typing a reason) travel with the page as `steps`
// so the next click finds the card as the user left it.

export interface Step {
  testId: string;
  /** onClick: a Button; onChange: a Select (the campaign picker) */
  event: 'onClick' | 'onChange';
  value?: string;
}

export interface CardInput {
  contactId: number;
  /** the card's state to rebuild: selects first, then UI-only clicks */
  steps: Step[];
  /** what the user typed into the card's text areas, by testId */
  values: Record<string, string>;
  /** the click (or Select change) to perform now */
  press: Step | null;
}

export interface CardResult {
  root: RenderedRootNode;
  /** alerts the card raised for the press */
  alerts: { type?: string; title?: string; message?: string }[];
  /** the state to carry to the next request */
  steps: Step[];
  /** the press was a click that called the server: an action, done */
  acted: boolean;
  /** text each copy button puts on the clipboard, by testId */
  copies: Record<string, string>;
}

const WAIT_MS = 20_000;
// `hubspot.fetch` is one module-level function for every card in this process; renders take turns.
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work);
  queue = next.catch(() => undefined);
  return next;
}

export function renderCard(ctx: AppContext, sandbox: Sandbox, input: CardInput): Promise<CardResult> {
  return exclusive(async () => {
    let calls = 0;
    let inFlight = 0;
    const user = sandbox.hubspot.portal(sandbox.portalId).users[0];
    const original = hubspot.fetch;
    hubspot.fetch = (async (url: string, init?: { method?: 'GET' | 'POST'; body?: Record<string, unknown>; timeout?: number }) => {
      calls++;
      inFlight++;
      try {
        // The card calls its production origin; HubSpot's proxy (here: the driver) reaches this server.
        const target = url.startsWith(API_BASE) ? ctx.config.publicUrl + url.slice(API_BASE.length) : url;
        const res = await sandbox.hubspot.card.fetch({
          appId: sandbox.hubspotApp.appId,
          portalId: sandbox.portalId,
          userId: user?.id ?? 1,
          userEmail: user?.email ?? 'admin@refcard-demo.test',
          url: target,
          method: init?.method ?? 'GET',
          body: init?.body,
          timeout: init?.timeout,
          associatedObjectId: input.contactId,
          associatedObjectType: 'CONTACT',
        });
        return new Response(res.text, { status: res.status, headers: res.headers });
      } finally {
        inFlight--;
      }
    }) as typeof hubspot.fetch;
    try {
      const r = createRenderer('crm.record.tab');
      r.mocks.context.crm.objectId = input.contactId;
      r.mocks.context.crm.objectTypeId = '0-1';
      if (user) Object.assign(r.mocks.context.user, { id: user.id, email: user.email, firstName: user.firstName ?? '', lastName: user.lastName ?? '' });
      Object.assign(r.mocks.context.portal, { id: sandbox.portalId });
      r.render(createElement(ReferralCard, { context: r.mocks.context, actions: r.mocks.actions }));
      // Settled: no call to the server in flight, React has applied the answer, nothing loading or busy.
      const settled = async () => {
        const deadline = Date.now() + WAIT_MS;
        for (;;) {
          await flush();
          while (inFlight > 0 && Date.now() < deadline) await tick(10);
          await r.waitFor(() => assertSettled(r.getRootNode()), { timeoutInMs: Math.max(1, deadline - Date.now()) });
          await flush();
          // an answer may have started another call (an action's reload): settle that too
          if (inFlight === 0) return;
        }
      };
      await settled();

      const selects: Step[] = [];
      const clicks: Step[] = [];
      for (const step of input.steps) {
        if (!apply(r.getRootNode(), step)) continue;
        (step.event === 'onChange' ? selects : clicks).push(step);
        await settled();
      }
      for (const [testId, value] of Object.entries(input.values)) {
        const area = r.getRootNode().maybeFind(TextArea, { testId });
        if (area && area.props.value !== value) {
          apply(r.getRootNode(), { testId, event: 'onChange', value });
          await settled();
        }
      }
      const alertsBefore = r.mocks.actions.addAlert.calls.length;
      const callsBefore = calls;
      const press = input.press;
      let acted = false;
      if (press && apply(r.getRootNode(), press)) {
        await settled();
        if (press.event === 'onChange') selects.splice(0, selects.length, ...selects.filter((x) => x.testId !== press.testId), press);
        else if (calls > callsBefore) acted = true;
        else if (!/copy/i.test(press.testId)) clicks.push(press); // a copy changes nothing to replay
      }
      const alerts = r.mocks.actions.addAlert.calls.slice(alertsBefore).map(([a]) => a as CardResult['alerts'][number]);
      const copies = await copyTexts(r);
      // After an action the card starts afresh (its own state resets too); the campaign choice stays.
      const steps = [...selects, ...(acted ? [] : clicks)].slice(-10);
      return { root: r.getRootNode(), alerts, steps, acted, copies };
    } finally {
      hubspot.fetch = original;
    }
  });
}

const tick = (ms: number) => new Promise((res) => setTimeout(res, ms));
/** React schedules its renders with setImmediate in Node; queueing behind them lets them run. */
async function flush() {
  for (let i = 0; i < 3; i++) await new Promise((res) => setImmediate(res));
}

function assertSettled(root: RenderedRootNode) {
  if (root.maybeFind(LoadingSpinner)) throw new Error('loading');
  // While an action or a reload runs, the card disables its buttons (busy).
  if (root.findAll(Button).some((b) => b.props.disabled === true)) throw new Error('busy');
}

/** Fires one event on the element with that testId; false when it is not on the card now. */
function apply(root: RenderedRootNode, step: Step): boolean {
  const byId = { testId: step.testId };
  const node = step.event === 'onClick' ? root.maybeFind(Button, byId) : (root.maybeFind(TextArea, byId) ?? root.maybeFind(Select, byId));
  if (!node || (node.props as { disabled?: boolean }).disabled) return false;
  (node.trigger as (name: string, arg?: unknown) => void)(step.event, step.value);
  return true;
}

/**
 * The card's Copy buttons call HubSpot's copyTextToClipboard, which needs the user's click in the
 * browser. To wire them to the browser's clipboard, each one is clicked here once and the text it
 * hands to copyTextToClipboard is what the page's button copies.
 */
async function copyTexts(r: ReturnType<typeof createRenderer<'crm.record.tab'>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const b of r.getRootNode().findAll(Button)) {
    const id = String(b.props.testId ?? '');
    if (!/copy/i.test(id)) continue;
    const before = r.mocks.actions.copyTextToClipboard.calls.length;
    b.trigger('onClick');
    await flush();
    const call = r.mocks.actions.copyTextToClipboard.calls[before];
    if (call) out[id] = String(call[0]);
  }
  return out;
}

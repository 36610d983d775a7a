import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { campaigns, participants } from '../db/schema.ts';
import { isWellFormedCode } from '../../shared/codes.ts';
import { EmailSchema } from '../../shared/email.ts';
import { createLead } from '../program/participants.ts';
import { ProgramError } from '../program/errors.ts';
import { fixedWindowLimiter, retryAfterSeconds } from '../http/rate-limit.ts';
import { clientAddress } from '../http/client-address.ts';
import { isStorableText } from '../http/json-body.ts';
import { page } from './page.ts';

// A name PostgreSQL cannot store (NUL from `%00`, an unpaired surrogate from JSON) is refused, not a 500.
const NameField = z.string().trim().max(100, 'must be at most 100 characters').refine(isStorableText, 'contains a character we cannot accept').optional().default('');
const FormSchema = z.object({
  first_name: NameField,
  last_name: NameField,
  email: EmailSchema,
  consent: z.string().optional(),
});

interface FormState {
  values: { first_name: string; last_name: string; email: string };
  errors: Partial<Record<'first_name' | 'last_name' | 'email' | 'consent' | 'form', string>>;
}

/** The page a referred friend lands on: `GET /r/:code` shows the form, `POST /r/:code` signs them up. */
export function landingRoutes(ctx: AppContext) {
  const app = new Hono();
  // Public routes: bounded per client address so codes cannot be enumerated or the form flooded.
  const limit = fixedWindowLimiter({ windowMs: 60_000, max: 30 });
  // Looking codes up costs a query each: page views get a budget of their own, well above a person's.
  const views = fixedWindowLimiter({ windowMs: 60_000, max: 120 });
  const tooMany = (c: Context, limiter: typeof limit, key: string, text: string) =>
    c.html(page('Too many attempts', html`<p>${text}</p>`), 429, { 'retry-after': retryAfterSeconds(limiter.retryAfterMs(key)) });

  app.get('/r/:code', async (c) => {
    const ip = clientAddress(c, ctx.config.trustProxy);
    if (!views(ip)) return tooMany(c, views, ip, 'Too many referral pages opened from here in a short time. Please wait a minute and try again.');
    const found = await lookup(ctx, c.req.param('code'));
    if (!found) return c.html(page('Referral link not found', notFoundBody()), 404);
    return c.html(page(`Join ${found.campaign.name}`, formBody(found, c.req.param('code'), { values: { first_name: '', last_name: '', email: '' }, errors: {} })));
  });

  app.post('/r/:code', async (c) => {
    const ip = clientAddress(c, ctx.config.trustProxy);
    if (!limit(ip)) return tooMany(c, limit, ip, 'Too many sign-ups from here in a short time. Please wait a minute and try again.');
    const code = c.req.param('code');
    const found = await lookup(ctx, code);
    const wantsJson = (c.req.header('accept') ?? '').includes('application/json') && !(c.req.header('accept') ?? '').includes('text/html');
    if (!found) return wantsJson ? c.json({ error: 'unknown_code', detail: 'This referral code does not exist.' }, 404) : c.html(page('Referral link not found', notFoundBody()), 404);

    const raw = await readForm(c.req.raw);
    const state: FormState = {
      values: { first_name: str(raw.first_name), last_name: str(raw.last_name), email: str(raw.email) },
      errors: {},
    };
    const parsed = FormSchema.safeParse(raw);
    if (!parsed.success) for (const i of parsed.error.issues) state.errors[(i.path[0] as keyof FormState['errors']) ?? 'form'] = i.message.replace(/^Invalid input: /, '');
    if (found.campaign.settings.requireConsent && !raw.consent) state.errors.consent = 'Please agree so we can contact you.';
    if (!parsed.success || Object.keys(state.errors).length) {
      return wantsJson ? c.json({ error: 'validation_failed', fields: state.errors }, 400) : c.html(page(`Join ${found.campaign.name}`, formBody(found, code, state)), 400);
    }
    try {
      const out = await ctx.db.transaction((tx) =>
        createLead(ctx, tx, {
          accountId: found.referrer.accountId,
          referralCode: code,
          email: parsed.data.email,
          firstName: parsed.data.first_name || null,
          lastName: parsed.data.last_name || null,
          customFields: raw.consent ? { consent_given_at: new Date().toISOString() } : {},
          source: 'landing',
          actor: { type: 'public', label: parsed.data.email, source: 'landing' },
        }),
      );
      if (wantsJson) return c.json({ id: out.participant.id, status: out.participant.leadStatus }, out.created ? 201 : 200);
      return c.html(page('Thanks!', thanksBody(found.campaign.name, found.referrerName)), out.created ? 201 : 200);
    } catch (err) {
      if (!(err instanceof ProgramError)) throw err;
      if (wantsJson) return c.json({ error: err.code, detail: err.message }, err.status);
      state.errors[err.field === 'email' ? 'email' : 'form'] = err.message;
      return c.html(page(`Join ${found.campaign.name}`, formBody(found, code, state)), err.status);
    }
  });

  return app;
}

interface Found {
  campaign: typeof campaigns.$inferSelect;
  referrer: typeof participants.$inferSelect;
  referrerName: string;
}

async function lookup(ctx: AppContext, rawCode: string): Promise<Found | null> {
  const code = rawCode.toLowerCase();
  if (!isWellFormedCode(code)) return null;
  const [row] = await ctx.db
    .select({ referrer: participants, campaign: campaigns })
    .from(participants)
    .innerJoin(campaigns, eq(campaigns.id, participants.campaignId))
    .where(eq(participants.code, code));
  if (!row || row.referrer.erasedAt || row.campaign.status === 'archived') return null;
  const referrerName = [row.referrer.firstName, row.referrer.lastName].filter(Boolean).join(' ') || 'A friend';
  return { ...row, referrerName };
}

async function readForm(req: Request): Promise<Record<string, unknown>> {
  const type = req.headers.get('content-type') ?? '';
  const text = await req.text();
  if (text.length > 16_384) return {};
  if (type.includes('application/json')) {
    try {
      const v = JSON.parse(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 300) : '');

function formBody(found: Found, code: string, s: FormState) {
  const err = (k: keyof FormState['errors']) => (s.errors[k] ? html`<p class="err" id="${k}-err" role="alert">${s.errors[k]}</p>` : '');
  const invalid = (k: keyof FormState['errors']) => (s.errors[k] ? html` aria-invalid="true" aria-describedby="${k}-err"` : '');
  const paused = found.campaign.status !== 'active';
  return html`<main>
  <h1>${found.referrerName} invited you to ${found.campaign.name}</h1>
  ${paused ? html`<p class="err" role="alert">This referral campaign is not accepting sign-ups right now.</p>` : ''}
  ${err('form')}
  <form method="post" action="/r/${code}" novalidate>
    <label for="first_name">First name</label>
    <input id="first_name" name="first_name" autocomplete="given-name" value="${s.values.first_name}"${invalid('first_name')}>
    ${err('first_name')}
    <label for="last_name">Last name</label>
    <input id="last_name" name="last_name" autocomplete="family-name" value="${s.values.last_name}"${invalid('last_name')}>
    ${err('last_name')}
    <label for="email">Email <span aria-hidden="true">*</span></label>
    <input id="email" name="email" type="email" required autocomplete="email" inputmode="email" value="${s.values.email}"${invalid('email')}>
    ${err('email')}
    ${found.campaign.settings.requireConsent
      ? html`<div class="check"><input id="consent" name="consent" type="checkbox" value="yes"${invalid('consent')}>
    <label for="consent">I agree that ${found.campaign.name} may contact me about this offer.</label></div>${err('consent')}`
      : ''}
    <button type="submit"${paused ? ' disabled' : ''}>Sign up</button>
  </form>
</main>`;
}

function thanksBody(campaign: string, referrer: string) {
  return html`<main><h1>Thanks, you're in!</h1><p>${referrer} will be glad to hear it. We'll be in touch about ${campaign} soon.</p></main>`;
}

function notFoundBody() {
  return html`<main><h1>This referral link doesn't work</h1><p>The code may be mistyped, or the campaign has ended. Ask the person who sent it for a fresh link.</p></main>`;
}

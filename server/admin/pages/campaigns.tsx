/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.ts';
import type { Campaign } from '../../db/schema.ts';
import { createCampaign, updateCampaign } from '../../program/campaigns.ts';
import { campaignStats } from '../../program/stats.ts';
import { referralLink } from '../../../shared/codes.ts';
import { adminActor, type AdminEnv } from '../guard.ts';
import { CampaignTabs, Csrf, renderPage } from '../layout.tsx';
import { done } from '../flash.ts';
import { CheckboxField, ErrorSummary, SelectField, TextField, Table } from '../ui.tsx';
import { campaignsOf, money, ownCampaign, type AdminContext } from './common.ts';
import { MAX_RULE_ROWS, parseCampaignForm, valuesOf, type CampaignFormValues, type FormErrors } from './campaign-form.ts';

// `/admin/campaigns`: the list, a new campaign, and one campaign's settings with its numbers.

const STATUS = [
  ['active', 'Active — links work and leads are accepted'],
  ['paused', 'Paused — links show a notice, no new leads'],
  ['archived', 'Archived — hidden from cards and the inbox'],
] as const;
const HUBSPOT_NEW = [
  ['create_or_update', 'Create a contact, or update the one with that email (marked as referred)'],
  ['create', 'Create a contact; leave an existing contact with that email untouched'],
  ['nothing', 'Do nothing in HubSpot'],
] as const;
const INTERCOM_NEW = [
  ['lead', 'Create a lead (an existing contact with that email is updated, never duplicated)'],
  ['user', 'Create a user (an existing contact with that email is updated, never duplicated)'],
  ['nothing', 'Do nothing in Intercom'],
] as const;

export function campaignRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin/campaigns', async (c) => {
    const list = await campaignsOf(ctx, c);
    const stats = await Promise.all(list.map((k) => campaignStats(ctx.db, k.id)));
    return renderPage(c, {
      title: 'Campaigns',
      nav: 'campaigns',
      children: (
        <>
          <p>
            <a class="button" href="/admin/campaigns/new">
              New campaign
            </a>
          </p>
          {list.length === 0 ? (
            <p>No campaigns yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col">Rewards</th>
                    <th scope="col" class="num">Referrers</th>
                    <th scope="col" class="num">Leads</th>
                    <th scope="col" class="num">Qualified</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((k, i) => (
                    <tr>
                      <th scope="row">
                        <a href={`/admin/campaigns/${k.id}`}>{k.name}</a>
                      </th>
                      <td>{k.status}</td>
                      <td>{k.rewardRules.length ? k.rewardRules.map((r) => `${r.name} (${money(r.amountCents, r.currency)})`).join('; ') : 'none'}</td>
                      <td class="num">{stats[i]!.referrers}</td>
                      <td class="num">{stats[i]!.leads}</td>
                      <td class="num">{stats[i]!.qualified}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ),
    });
  });

  app.get('/admin/campaigns/new', (c) =>
    renderPage(c, { title: 'New campaign', nav: 'campaigns', children: <CampaignForm action="/admin/campaigns" csrf={c.get('session').csrfToken} values={valuesOf(null)} errors={{}} submit="Create campaign" /> }),
  );

  app.post('/admin/campaigns', async (c) => {
    const parsed = parseCampaignForm(c.get('form'));
    if (!parsed.ok) {
      return renderPage(c, { title: 'New campaign', nav: 'campaigns', status: 400, children: <CampaignForm action="/admin/campaigns" csrf={c.get('session').csrfToken} values={parsed.values} errors={parsed.errors} submit="Create campaign" /> });
    }
    const session = c.get('session');
    const created = await ctx.db.transaction((tx) => createCampaign(tx, session.accountId, parsed.input, adminActor(session)));
    return done(c, `/admin/campaigns/${created.id}`, `Campaign “${created.name}” created. Next: map its fields and choose when a referral qualifies.`);
  });

  app.get('/admin/campaigns/:id', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    return editPage(ctx, c, campaign, valuesOf(campaign), {});
  });

  app.post('/admin/campaigns/:id', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    const parsed = parseCampaignForm(c.get('form'));
    if (!parsed.ok) return editPage(ctx, c, campaign, parsed.values, parsed.errors);
    const session = c.get('session');
    await ctx.db.transaction((tx) => updateCampaign(tx, session.accountId, campaign.id, parsed.input, adminActor(session)));
    return done(c, `/admin/campaigns/${campaign.id}`, 'Campaign saved.');
  });
}

async function editPage(ctx: AppContext, c: AdminContext, campaign: Campaign, values: CampaignFormValues, errors: FormErrors) {
  const stats = await campaignStats(ctx.db, campaign.id);
  const example = referralLink(ctx.config.publicUrl, 'CODE', campaign.landingUrl);
  return renderPage(c, {
    title: campaign.name,
    heading: `Campaign: ${campaign.name}`,
    nav: 'campaigns',
    status: Object.keys(errors).length ? 400 : 200,
    children: (
      <>
        <CampaignTabs id={campaign.id} current="settings" />
        <section class="grid" aria-label="Numbers">
          {(
            [
              ['Referrers', stats.referrers],
              ['Leads', stats.leads],
              ['Pending', stats.pending],
              ['Qualified', stats.qualified],
              ['Rewards issued', stats.rewards.issued],
            ] as const
          ).map(([label, n]) => (
            <div class="card">
              <span class="stat">{n}</span> {label}
            </div>
          ))}
        </section>
        <p>
          Referral links look like <code>{example}</code>.
        </p>
        <CampaignForm action={`/admin/campaigns/${campaign.id}`} csrf={c.get('session').csrfToken} values={values} errors={errors} submit="Save campaign" />
      </>
    ),
  });
}

function CampaignForm(p: { action: string; csrf: string; values: CampaignFormValues; errors: FormErrors; submit: string }) {
  const v = p.values;
  const e = p.errors;
  // Existing rows, then one blank row to add a reward (the form is submitted to add more).
  const rows = [...v.rules, { id: '', name: '', recipient: 'referrer', trigger: 'per_qualified_lead', threshold: '', amount: '', currency: v.rules[0]?.currency ?? 'USD' }].slice(0, MAX_RULE_ROWS);
  return (
    <form method="post" action={p.action} novalidate>
      <Csrf token={p.csrf} />
      <ErrorSummary errors={e} />
      <TextField id="name" label="Name" value={v.name} error={e.name} required maxlength={120} />
      <SelectField id="status" label="Status" value={v.status} options={STATUS} error={e.status} />
      <TextField
        id="landing_url"
        type="url"
        label="Landing page URL (optional)"
        value={v.landingUrl}
        error={e.landing_url}
        hint="Leave empty to use Refcard’s own sign-up page. With your own page, links become <your page>?ref=<code>."
      />
      <fieldset>
        <legend>When someone joins (landing page, API, the inbox)</legend>
        <SelectField id="hubspot_new_participants" label="In HubSpot" value={v.hubspotNewParticipants} options={HUBSPOT_NEW} error={e.hubspotNewParticipants} hint="With “leave untouched”, a lead whose email already exists in HubSpot can still qualify through the card, the API or a deal on that contact." />
        <SelectField id="intercom_new_participants" label="In Intercom" value={v.intercomNewParticipants} options={INTERCOM_NEW} error={e.intercomNewParticipants} />
        <p class="hint">Duplicates: an email is one person per campaign. A second sign-up with the same email is refused and the first referrer keeps the credit.</p>
        <CheckboxField id="require_consent" label="Ask referred friends for consent to be contacted on the sign-up page" checked={v.requireConsent} />
      </fieldset>
      <fieldset>
        <legend>Rewards</legend>
        <p class="hint">Fill in the last row to add a reward; tick “Remove” to delete one. Rewards are issued when a lead qualifies and voided if it is unqualified before being paid.</p>
        <Table head={['Reward name', 'Goes to', 'When', 'Milestone (qualified leads)', 'Amount', 'Currency', 'Remove']}>
          {rows.map((r, i) => (
            <tr>
              <td>
                <input type="hidden" name={`r${i}_id`} value={r.id} />
                <TextField id={`r${i}_name`} label={`Reward ${i + 1} name`} hiddenLabel value={r.name} error={e[`r${i}_name`] ?? e[`r${i}_id`]} maxlength={120} />
              </td>
              <td>
                <SelectField id={`r${i}_recipient`} label={`Reward ${i + 1} goes to`} hiddenLabel value={r.recipient} options={[['referrer', 'the referrer'], ['lead', 'the referred friend']]} error={e[`r${i}_recipient`]} />
              </td>
              <td>
                <SelectField id={`r${i}_trigger`} label={`Reward ${i + 1} when`} hiddenLabel value={r.trigger} options={[['per_qualified_lead', 'each qualified lead'], ['milestone', 'at a milestone']]} error={e[`r${i}_trigger`]} />
              </td>
              <td>
                <TextField id={`r${i}_threshold`} label={`Reward ${i + 1} milestone`} hiddenLabel value={r.threshold} inputmode="numeric" error={e[`r${i}_threshold`]} />
              </td>
              <td>
                <TextField id={`r${i}_amount`} label={`Reward ${i + 1} amount`} hiddenLabel value={r.amount} inputmode="decimal" error={e[`r${i}_amount`]} />
              </td>
              <td>
                <TextField id={`r${i}_currency`} label={`Reward ${i + 1} currency`} hiddenLabel value={r.currency} maxlength={3} error={e[`r${i}_currency`]} />
              </td>
              <td>{r.id || r.name ? <CheckboxField id={`r${i}_remove`} label={`Remove reward ${i + 1}`} checked={false} /> : null}</td>
            </tr>
          ))}
        </Table>
      </fieldset>
      <div class="actions">
        <button type="submit">{p.submit}</button>
        <a href="/admin/campaigns">Cancel</a>
      </div>
    </form>
  );
}

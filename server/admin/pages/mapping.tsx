/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.ts';
import type { Campaign, Connection } from '../../db/schema.ts';
import { FieldMappingSchema, PARTICIPANT_FIELDS, type FieldMapping, type InboundMappingRow, type OutboundMappingRow, type ParticipantField } from '../../../shared/campaign.ts';
import { updateCampaign } from '../../program/campaigns.ts';
import { adminActor, field, type AdminEnv, type FormFields } from '../guard.ts';
import { CampaignTabs, Csrf, renderPage } from '../layout.tsx';
import { done } from '../flash.ts';
import { ErrorSummary } from '../ui.tsx';
import { attempt, fieldsOf, type CatalogField } from '../catalogs.ts';
import { connectionLabel, connectionsOf, ownCampaign, providerLabel, type AdminContext } from './common.ts';

// `/admin/campaigns/:id/mapping`: per CRM, every property/attribute of the portal or workspace,
// read live, each with what Refcard writes into it — a participant field (dynamic), a constant
// (fixed) or nothing — and the ones Refcard cannot write, with the reason. Not only "show in
// forms" properties: a picker that hides the rest is the market leader's best-known trap.

export const FIELD_LABELS: Record<ParticipantField, string> = {
  referral_link: 'Referral link',
  referral_code: 'Referral code',
  referrals: 'Number of referrals',
  qualified_referrals: 'Qualified referrals',
  pending_referrals: 'Pending referrals',
  rewards_earned: 'Rewards earned',
  referral_status: 'Referral status (as a lead)',
  referred_by_email: 'Referrer’s email',
  referred_by_name: 'Referrer’s name',
  campaign_name: 'Campaign name',
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email',
};
const MAX_OUTBOUND = 50;
const CUSTOM_ROWS = 3;
type Provider = 'hubspot' | 'intercom';

export function mappingRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin/campaigns/:id/mapping', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    return mappingPage(ctx, c, campaign, c.req.query('provider') === 'intercom' ? 'intercom' : 'hubspot', c.req.query('refresh') !== undefined, {});
  });

  app.post('/admin/campaigns/:id/mapping', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    const form = c.get('form');
    const provider: Provider = field(form, 'provider') === 'intercom' ? 'intercom' : 'hubspot';
    const conn = await pickConnection(ctx, c, provider, field(form, 'connection'));
    if (!conn) return mappingPage(ctx, c, campaign, provider, false, { form: `Connect ${providerLabel(provider)} first.` });
    // Checked against the live catalog again: a read-only or deleted property is refused here,
    // not discovered later as a failed batch.
    const catalog = await attempt('the properties', () => fieldsOf(ctx, conn, true));
    if (!catalog.value) return mappingPage(ctx, c, campaign, provider, false, { form: catalog.error! });
    const parsed = parseMapping(form, catalog.value, campaign.fieldMapping[provider]);
    if ('errors' in parsed) return mappingPage(ctx, c, campaign, provider, false, parsed.errors, form);
    const mapping: FieldMapping = { ...campaign.fieldMapping, [provider]: parsed.mapping };
    const check = FieldMappingSchema.safeParse(mapping);
    if (!check.success) return mappingPage(ctx, c, campaign, provider, false, { form: check.error.issues[0]!.message }, form);
    const session = c.get('session');
    await ctx.db.transaction((tx) => updateCampaign(tx, session.accountId, campaign.id, { fieldMapping: check.data }, adminActor(session)));
    return done(c, `/admin/campaigns/${campaign.id}/mapping?provider=${provider}`, `${providerLabel(provider)} mapping saved: ${parsed.mapping.outbound.length} field(s) written by Refcard.`);
  });
}

async function pickConnection(ctx: AppContext, c: AdminContext, provider: Provider, wanted: string | undefined): Promise<Connection | null> {
  const all = (await connectionsOf(ctx, c)).filter((k) => k.provider === provider);
  return all.find((k) => k.id === wanted) ?? all.find((k) => k.status === 'connected') ?? all[0] ?? null;
}

function parseMapping(form: FormFields, catalog: CatalogField[], current: FieldMapping[Provider]): { mapping: FieldMapping[Provider] } | { errors: Record<string, string> } {
  const byName = new Map(catalog.map((f) => [f.name, f]));
  const errors: Record<string, string> = {};
  const outbound: OutboundMappingRow[] = [];
  const count = Math.min(Number(field(form, 'rows')) || 0, 5000);
  for (let i = 0; i < count; i++) {
    const target = field(form, `t_${i}`);
    const choice = field(form, `s_${i}`);
    if (!target || !choice) continue;
    const def = byName.get(target);
    const stale = !def && current.outbound.some((r) => r.target === target);
    if (!def && !stale) errors[`s_${i}`] = `${target} does not exist in the CRM any more.`;
    else if (def && !def.writable) errors[`s_${i}`] = `${def.label} cannot be written: ${def.reason ?? 'read-only'}.`;
    else if (choice === 'fixed') outbound.push({ target, source: { kind: 'fixed', value: field(form, `f_${i}`).slice(0, 1000) } });
    else if ((PARTICIPANT_FIELDS as readonly string[]).includes(choice)) outbound.push({ target, source: { kind: 'field', field: choice as ParticipantField } });
    else errors[`s_${i}`] = `Choose what Refcard writes into ${target}.`;
  }
  if (outbound.length > MAX_OUTBOUND) errors.form = `At most ${MAX_OUTBOUND} fields can be written; ${outbound.length} are chosen.`;
  const inbound: InboundMappingRow[] = [];
  for (const target of ['first_name', 'last_name'] as const) {
    const source = field(form, `in_${target}`);
    if (source) inbound.push({ source, target });
  }
  for (let i = 0; i < CUSTOM_ROWS + current.inbound.length; i++) {
    const key = field(form, `cu_key_${i}`).toLowerCase();
    const source = field(form, `cu_src_${i}`);
    if (!key && !source) continue;
    if (!/^[a-z0-9_]{1,40}$/.test(key)) errors[`cu_key_${i}`] = 'A custom field name is 1–40 characters of a–z, 0–9 and _.';
    else if (!source) errors[`cu_src_${i}`] = `Choose where custom field ${key} comes from.`;
    else inbound.push({ source, target: `custom.${key}` });
  }
  for (const row of inbound) if (!byName.has(row.source)) errors.form ??= `${row.source} does not exist in the CRM.`;
  return Object.keys(errors).length ? { errors } : { mapping: { outbound, inbound } };
}

async function mappingPage(ctx: AppContext, c: AdminContext, campaign: Campaign, provider: Provider, refresh: boolean, errors: Record<string, string>, posted?: FormFields) {
  const conn = await pickConnection(ctx, c, provider, c.req.query('connection'));
  const catalog = conn ? await attempt(provider === 'hubspot' ? 'the contact properties' : 'the data attributes', () => fieldsOf(ctx, conn, refresh)) : null;
  const current = campaign.fieldMapping[provider];
  const mapped = new Map(current.outbound.map((r) => [r.target, r]));
  const fields = catalog?.value ?? [];
  const writable = fields.filter((f) => f.writable).sort((a, b) => Number(mapped.has(b.name)) - Number(mapped.has(a.name)) || a.label.localeCompare(b.label));
  const unavailable = fields.filter((f) => !f.writable);
  const stale = current.outbound.filter((r) => catalog?.value && !fields.some((f) => f.name === r.target));
  const rows = [...writable.map((f) => ({ f, row: mapped.get(f.name) })), ...stale.map((r) => ({ f: null, row: r }))];
  const thing = provider === 'hubspot' ? 'property' : 'attribute';
  const sel = (i: number, row: OutboundMappingRow | undefined) => (posted ? field(posted, `s_${i}`) : row ? (row.source.kind === 'fixed' ? 'fixed' : row.source.field) : '');
  const fixed = (i: number, row: OutboundMappingRow | undefined) => (posted ? field(posted, `f_${i}`) : row?.source.kind === 'fixed' ? row.source.value : '');
  const inbound = (t: string) => current.inbound.find((r) => r.target === t)?.source ?? '';
  const customs = current.inbound.filter((r) => r.target.startsWith('custom.'));
  const options = [...fields].sort((a, b) => a.label.localeCompare(b.label));
  return renderPage(c, {
    title: `Field mapping · ${campaign.name}`,
    heading: `Field mapping: ${campaign.name}`,
    nav: 'campaigns',
    status: Object.keys(errors).length ? 400 : 200,
    children: (
      <>
        <CampaignTabs id={campaign.id} current="mapping" />
        <nav aria-label="CRM">
          <ul class="tabs">
            {(['hubspot', 'intercom'] as const).map((p) => (
              <li>
                <a href={`/admin/campaigns/${campaign.id}/mapping?provider=${p}`} aria-current={p === provider ? 'page' : undefined}>
                  {providerLabel(p)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ErrorSummary errors={errors} />
        {!conn ? (
          <p>
            No {providerLabel(provider)} connection yet. <a href="/admin/integrations">Connect {providerLabel(provider)}</a> to map its {thing === 'property' ? 'properties' : 'attributes'}.
          </p>
        ) : (
          <>
            <p>
              {catalog?.error ? <span class="error-text">{catalog.error}</span> : `${fields.length} ${thing === 'property' ? 'contact properties' : 'contact data attributes'} in ${connectionLabel(conn)}: ${writable.length} writable, ${unavailable.length} not.`}{' '}
              <a class="button secondary" href={`/admin/campaigns/${campaign.id}/mapping?provider=${provider}&connection=${conn.id}&refresh=1`}>
                Refresh from {providerLabel(provider)}
              </a>
            </p>
            {catalog?.value ? (
              <form method="post" action={`/admin/campaigns/${campaign.id}/mapping`}>
                <Csrf token={c.get('session').csrfToken} />
                <input type="hidden" name="provider" value={provider} />
                <input type="hidden" name="connection" value={conn.id} />
                <input type="hidden" name="rows" value={String(rows.length)} />
                <h2>What Refcard writes into {providerLabel(provider)}</h2>
                <p class="hint">Dynamic: a value per person (their link, their counts…). Fixed: the same text for everyone, such as Lead source = Referral.</p>
                <div class="table-wrap">
                  <table>
                    <caption class="sr-only">Writable {thing === 'property' ? 'properties' : 'attributes'}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{thing === 'property' ? 'Property' : 'Attribute'}</th>
                        <th scope="col">Type</th>
                        <th scope="col">Refcard writes</th>
                        <th scope="col">Fixed value</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map(({ f, row }, i) => {
                        const name = f?.name ?? row!.target;
                        return (
                          <tr>
                            <th scope="row">
                              <input type="hidden" name={`t_${i}`} value={name} />
                              {f?.label ?? name} <span class="muted mono">{name}</span>
                              {!f ? <p class="hint error-text">No longer in {providerLabel(provider)}: skipped on every write until you remove it.</p> : null}
                            </th>
                            <td>{f?.type ?? '—'}</td>
                            <td>
                              <label class="sr-only" for={`s_${i}`}>
                                What Refcard writes into {f?.label ?? name}
                              </label>
                              <select id={`s_${i}`} name={`s_${i}`} aria-invalid={errors[`s_${i}`] ? 'true' : undefined}>
                                <option value="">Nothing</option>
                                <optgroup label="Dynamic value">
                                  {PARTICIPANT_FIELDS.map((pf) => (
                                    <option value={pf} selected={sel(i, row) === pf}>
                                      {FIELD_LABELS[pf]}
                                    </option>
                                  ))}
                                </optgroup>
                                <option value="fixed" selected={sel(i, row) === 'fixed'}>
                                  Fixed value →
                                </option>
                              </select>
                            </td>
                            <td>
                              <label class="sr-only" for={`f_${i}`}>
                                Fixed value for {f?.label ?? name}
                              </label>
                              <input type="text" id={`f_${i}`} name={`f_${i}`} value={fixed(i, row)} maxlength={1000} />
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
                <h2>What Refcard reads when contacts are synced in</h2>
                {(['first_name', 'last_name'] as const).map((t) => (
                  <div>
                    <label for={`in_${t}`}>{t === 'first_name' ? 'First name' : 'Last name'} comes from</label>
                    <select id={`in_${t}`} name={`in_${t}`}>
                      <option value="">(not read)</option>
                      {options.map((o) => (
                        <option value={o.name} selected={(posted ? field(posted, `in_${t}`) : inbound(t)) === o.name}>
                          {o.label} ({o.name})
                        </option>
                      ))}
                    </select>
                  </div>
                ))}
                <fieldset>
                  <legend>Custom fields kept on the participant</legend>
                  {Array.from({ length: customs.length + CUSTOM_ROWS }, (_, i) => (
                    <div class="actions">
                      <div>
                        <label for={`cu_key_${i}`}>Custom field {i + 1} name</label>
                        <input type="text" id={`cu_key_${i}`} name={`cu_key_${i}`} value={posted ? field(posted, `cu_key_${i}`) : (customs[i]?.target.slice('custom.'.length) ?? '')} maxlength={40} aria-invalid={errors[`cu_key_${i}`] ? 'true' : undefined} />
                      </div>
                      <div>
                        <label for={`cu_src_${i}`}>comes from</label>
                        <select id={`cu_src_${i}`} name={`cu_src_${i}`}>
                          <option value="">(none)</option>
                          {options.map((o) => (
                            <option value={o.name} selected={(posted ? field(posted, `cu_src_${i}`) : customs[i]?.source) === o.name}>
                              {o.label} ({o.name})
                            </option>
                          ))}
                        </select>
                      </div>
                    </div>
                  ))}
                </fieldset>
                <div class="actions">
                  <button type="submit">Save mapping</button>
                </div>
              </form>
            ) : null}
            {unavailable.length ? (
              <>
                <h2>{thing === 'property' ? 'Properties' : 'Attributes'} Refcard cannot write</h2>
                <div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{thing === 'property' ? 'Property' : 'Attribute'}</th>
                        <th scope="col">Type</th>
                        <th scope="col">Why not</th>
                      </tr>
                    </thead>
                    <tbody>
                      {unavailable.map((f) => (
                        <tr>
                          <th scope="row">
                            {f.label} <span class="muted mono">{f.name}</span>
                          </th>
                          <td>{f.type}</td>
                          <td>{f.reason ?? 'read-only'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            ) : null}
          </>
        )}
      </>
    ),
  });
}

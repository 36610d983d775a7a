/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Campaign, Connection } from '../../db/schema.ts';
import { QualificationRuleSchema, type QualificationRule } from '../../../shared/campaign.ts';
import { updateCampaign } from '../../program/campaigns.ts';
import { adminActor, field, type AdminEnv } from '../guard.ts';
import { CampaignTabs, Csrf, renderPage } from '../layout.tsx';
import { done } from '../flash.ts';
import { ErrorSummary, TextField } from '../ui.tsx';
import { attempt, fieldsOf, pipelinesOf, tagsOf, type CatalogField, type Choice, type Pipeline } from '../catalogs.ts';
import { connectionsOf, ownCampaign, type AdminContext } from './common.ts';

// `/admin/campaigns/:id/rules`: when a referred lead qualifies on its own. Pipelines and stages
// come from the portal, tags from the workspace, properties and attributes from their catalogs,
// so an admin picks real values instead of typing ids that must match exactly.

const MAX_RULES = 20;

interface Catalogs {
  hubspot: Connection | null;
  intercom: Connection | null;
  pipelines: Pipeline[];
  properties: CatalogField[];
  tags: Choice[];
  attributes: CatalogField[];
  errors: string[];
}

async function loadCatalogs(ctx: AppContext, c: AdminContext, refresh: boolean): Promise<Catalogs> {
  const conns = await connectionsOf(ctx, c);
  const pick = (p: 'hubspot' | 'intercom') => conns.find((k) => k.provider === p && k.status === 'connected') ?? null;
  const hubspot = pick('hubspot');
  const intercom = pick('intercom');
  const [pipelines, properties, tags, attributes] = await Promise.all([
    hubspot ? attempt('the deal pipelines', () => pipelinesOf(ctx, hubspot, refresh)) : null,
    hubspot ? attempt('the contact properties', () => fieldsOf(ctx, hubspot, refresh)) : null,
    intercom ? attempt('the tags', () => tagsOf(ctx, intercom, refresh)) : null,
    intercom ? attempt('the data attributes', () => fieldsOf(ctx, intercom, refresh)) : null,
  ]);
  return {
    hubspot,
    intercom,
    pipelines: pipelines?.value ?? [],
    properties: properties?.value ?? [],
    tags: tags?.value ?? [],
    attributes: attributes?.value ?? [],
    errors: [pipelines, properties, tags, attributes].flatMap((r) => (r?.error ? [r.error] : [])),
  };
}

/** A rule in words, with the portal's and workspace's own names where known. */
export function ruleText(rule: QualificationRule, k: Pick<Catalogs, 'pipelines' | 'tags'>): string {
  switch (rule.kind) {
    case 'hubspot_deal_stage': {
      const p = k.pipelines.find((x) => x.id === rule.pipelineId);
      const s = p?.stages.find((x) => x.id === rule.stageId);
      return `HubSpot: a deal of the lead reaches “${s?.label ?? rule.stageId}” in ${p?.label ?? `pipeline ${rule.pipelineId}`}`;
    }
    case 'hubspot_contact_property':
      return `HubSpot: the lead’s contact property ${rule.property} becomes “${rule.value}”`;
    case 'intercom_tag':
      return `Intercom: the lead is tagged “${k.tags.find((t) => t.id === rule.tagId)?.name ?? rule.tagName ?? rule.tagId}”`;
    case 'intercom_attribute':
      return `Intercom: the lead’s attribute ${rule.attribute} becomes “${rule.value}”`;
  }
}

export function ruleRoutes(app: Hono<AdminEnv>, ctx: AppContext): void {
  app.get('/admin/campaigns/:id/rules', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    return rulesPage(ctx, c, campaign, await loadCatalogs(ctx, c, c.req.query('refresh') !== undefined), {});
  });

  app.post('/admin/campaigns/:id/rules', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    const form = c.get('form');
    const catalogs = await loadCatalogs(ctx, c, false);
    const id = `${field(form, 'kind').replace(/_.*/, '')}-${randomBytes(4).toString('hex')}`;
    let candidate: unknown;
    const errors: Record<string, string> = {};
    switch (field(form, 'kind')) {
      case 'hubspot_deal_stage': {
        const [pipelineId, stageId] = field(form, 'stage').split('::');
        const known = catalogs.pipelines.find((p) => p.id === pipelineId)?.stages.some((s) => s.id === stageId);
        if (!known) errors.stage = 'Choose a pipeline stage from the list.';
        candidate = { id, kind: 'hubspot_deal_stage', pipelineId, stageId };
        break;
      }
      case 'hubspot_contact_property':
      case 'intercom_attribute': {
        const hub = field(form, 'kind') === 'hubspot_contact_property';
        const name = field(form, hub ? 'property' : 'attribute');
        const value = field(form, hub ? 'property_value' : 'attribute_value');
        if (!(hub ? catalogs.properties : catalogs.attributes).some((f) => f.name === name)) errors[hub ? 'property' : 'attribute'] = `Choose a ${hub ? 'property' : 'attribute'} from the list.`;
        if (!value) errors[hub ? 'property_value' : 'attribute_value'] = 'Enter the value that qualifies the lead.';
        candidate = hub ? { id, kind: 'hubspot_contact_property', property: name, value } : { id, kind: 'intercom_attribute', attribute: name, value };
        break;
      }
      case 'intercom_tag': {
        const tag = catalogs.tags.find((t) => t.id === field(form, 'tag'));
        if (!tag) errors.tag = 'Choose a tag from the list.';
        candidate = { id, kind: 'intercom_tag', tagId: tag?.id ?? '', tagName: tag?.name };
        break;
      }
      default:
        errors.form = 'Choose what kind of rule to add.';
    }
    if (campaign.qualificationRules.length >= MAX_RULES) errors.form = `A campaign has at most ${MAX_RULES} rules.`;
    const parsed = QualificationRuleSchema.safeParse(candidate);
    if (Object.keys(errors).length || !parsed.success) {
      if (!parsed.success && !Object.keys(errors).length) errors.form = parsed.error.issues[0]!.message;
      return rulesPage(ctx, c, campaign, catalogs, errors);
    }
    const session = c.get('session');
    await ctx.db.transaction((tx) => updateCampaign(tx, session.accountId, campaign.id, { qualificationRules: [...campaign.qualificationRules, parsed.data] }, adminActor(session)));
    return done(c, `/admin/campaigns/${campaign.id}/rules`, `Rule added: ${ruleText(parsed.data, catalogs)}.`);
  });

  app.post('/admin/campaigns/:id/rules/:ruleId/delete', async (c) => {
    const campaign = await ownCampaign(ctx, c, c.req.param('id'));
    const rule = campaign.qualificationRules.find((r) => r.id === c.req.param('ruleId'));
    if (!rule) return done(c, `/admin/campaigns/${campaign.id}/rules`, 'That rule was already removed.', 'info');
    const session = c.get('session');
    await ctx.db.transaction((tx) => updateCampaign(tx, session.accountId, campaign.id, { qualificationRules: campaign.qualificationRules.filter((r) => r.id !== rule.id) }, adminActor(session)));
    return done(c, `/admin/campaigns/${campaign.id}/rules`, 'Rule removed.');
  });
}

function rulesPage(_ctx: AppContext, c: AdminContext, campaign: Campaign, k: Catalogs, errors: Record<string, string>) {
  const csrf = c.get('session').csrfToken;
  const enumerations = [...k.properties, ...k.attributes].filter((f) => f.options.length);
  return renderPage(c, {
    title: `Qualification rules · ${campaign.name}`,
    heading: `Qualification rules: ${campaign.name}`,
    nav: 'campaigns',
    status: Object.keys(errors).length ? 400 : 200,
    children: (
      <>
        <CampaignTabs id={campaign.id} current="rules" />
        <ErrorSummary errors={errors} />
        {k.errors.map((e) => (
          <p class="flash danger">{e}</p>
        ))}
        <p>
          A referred lead qualifies as soon as any rule holds; it qualifies once, and the reason is kept in the audit log. Reps can also qualify by hand from the card or the inbox.{' '}
          <a class="button secondary" href={`/admin/campaigns/${campaign.id}/rules?refresh=1`}>
            Refresh pipelines, tags and fields
          </a>
        </p>
        <h2>Rules of this campaign</h2>
        {campaign.qualificationRules.length === 0 ? (
          <p>No rules yet: leads qualify only by hand or through the API.</p>
        ) : (
          <ul>
            {campaign.qualificationRules.map((r) => (
              <li>
                {ruleText(r, k)}{' '}
                <form method="post" action={`/admin/campaigns/${campaign.id}/rules/${r.id}/delete`} class="inline">
                  <Csrf token={csrf} />
                  <button type="submit" class="secondary">
                    Remove
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
        <h2>Add a rule</h2>
        <div class="grid">
          <form method="post" action={`/admin/campaigns/${campaign.id}/rules`} class="card">
            <Csrf token={csrf} />
            <input type="hidden" name="kind" value="hubspot_deal_stage" />
            <h3>A HubSpot deal reaches a stage</h3>
            {k.hubspot ? (
              <>
                <label for="stage">Pipeline and stage</label>
                <select id="stage" name="stage" aria-invalid={errors.stage ? 'true' : undefined}>
                  {k.pipelines.map((p) => (
                    <optgroup label={p.label}>
                      {p.stages.map((s) => (
                        <option value={`${p.id}::${s.id}`}>{s.label}</option>
                      ))}
                    </optgroup>
                  ))}
                </select>
                <p class="hint">Any deal associated with the lead’s contact counts, so contact-first flows work without a workflow.</p>
                <button type="submit">Add deal-stage rule</button>
              </>
            ) : (
              <p class="hint">Connect HubSpot to pick a pipeline.</p>
            )}
          </form>
          <form method="post" action={`/admin/campaigns/${campaign.id}/rules`} class="card">
            <Csrf token={csrf} />
            <input type="hidden" name="kind" value="hubspot_contact_property" />
            <h3>A HubSpot contact property gets a value</h3>
            {k.hubspot ? (
              <>
                <label for="property">Property</label>
                <select id="property" name="property" aria-invalid={errors.property ? 'true' : undefined}>
                  {k.properties.map((f) => (
                    <option value={f.name}>
                      {f.label} ({f.name})
                    </option>
                  ))}
                </select>
                <TextField id="property_value" label="Value" error={errors.property_value} hint="Exactly as HubSpot stores it, e.g. customer for Lifecycle stage." />
                <button type="submit">Add property rule</button>
              </>
            ) : (
              <p class="hint">Connect HubSpot to pick a property.</p>
            )}
          </form>
          <form method="post" action={`/admin/campaigns/${campaign.id}/rules`} class="card">
            <Csrf token={csrf} />
            <input type="hidden" name="kind" value="intercom_tag" />
            <h3>An Intercom tag is applied</h3>
            {k.intercom ? (
              <>
                <label for="tag">Tag</label>
                <select id="tag" name="tag" aria-invalid={errors.tag ? 'true' : undefined}>
                  {k.tags.map((t) => (
                    <option value={t.id}>{t.name}</option>
                  ))}
                </select>
                <button type="submit">Add tag rule</button>
              </>
            ) : (
              <p class="hint">Connect Intercom to pick a tag.</p>
            )}
          </form>
          <form method="post" action={`/admin/campaigns/${campaign.id}/rules`} class="card">
            <Csrf token={csrf} />
            <input type="hidden" name="kind" value="intercom_attribute" />
            <h3>An Intercom attribute gets a value</h3>
            {k.intercom ? (
              <>
                <label for="attribute">Attribute</label>
                <select id="attribute" name="attribute" aria-invalid={errors.attribute ? 'true' : undefined}>
                  {k.attributes.map((f) => (
                    <option value={f.name}>
                      {f.label} ({f.name})
                    </option>
                  ))}
                </select>
                <TextField id="attribute_value" label="Value" error={errors.attribute_value} />
                <button type="submit">Add attribute rule</button>
              </>
            ) : (
              <p class="hint">Connect Intercom to pick an attribute.</p>
            )}
          </form>
        </div>
        {enumerations.length ? (
          <details>
            <summary>Allowed values of list-type fields</summary>
            <ul>
              {enumerations.map((f) => (
                <li>
                  <span class="mono">{f.name}</span>: {f.options.map((o) => o.value).join(', ')}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </>
    ),
  });
}

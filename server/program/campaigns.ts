import { and, asc, eq } from 'drizzle-orm';
import { campaigns, type Campaign } from '../db/schema.ts';
import type { Queryable, Tx } from '../db/client.ts';
import type { CampaignSettings, FieldMapping, QualificationRule, RewardRule } from '../../shared/campaign.ts';
import { defaultCampaignSettings, defaultFieldMapping } from '../../shared/campaign.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit.ts';
import { loadCampaign } from './participants.ts';

export interface CampaignInput {
  name: string;
  status?: Campaign['status'];
  landingUrl?: string | null;
  rewardRules?: RewardRule[];
  qualificationRules?: QualificationRule[];
  settings?: Partial<CampaignSettings>;
  fieldMapping?: FieldMapping;
}

export async function createCampaign(tx: Tx, accountId: string, input: CampaignInput, actor: Actor): Promise<Campaign> {
  const [c] = await tx
    .insert(campaigns)
    .values({
      accountId,
      name: input.name,
      status: input.status ?? 'active',
      landingUrl: input.landingUrl ?? null,
      rewardRules: input.rewardRules ?? [],
      qualificationRules: input.qualificationRules ?? [],
      settings: { ...defaultCampaignSettings(), ...input.settings },
      fieldMapping: input.fieldMapping ?? defaultFieldMapping(),
    })
    .returning();
  await audit(tx, { accountId, campaignId: c!.id, action: 'campaign.created', actor, after: { name: c!.name } });
  return c!;
}

export async function updateCampaign(tx: Tx, accountId: string, id: string, patch: Partial<CampaignInput>, actor: Actor): Promise<Campaign> {
  const before = await loadCampaign(tx, accountId, id, 'id');
  const [c] = await tx
    .update(campaigns)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.landingUrl !== undefined && { landingUrl: patch.landingUrl }),
      ...(patch.rewardRules !== undefined && { rewardRules: patch.rewardRules }),
      ...(patch.qualificationRules !== undefined && { qualificationRules: patch.qualificationRules }),
      ...(patch.settings !== undefined && { settings: { ...before.settings, ...patch.settings } }),
      ...(patch.fieldMapping !== undefined && { fieldMapping: patch.fieldMapping }),
      updatedAt: new Date(),
    })
    .where(and(eq(campaigns.id, id), eq(campaigns.accountId, accountId)))
    .returning();
  await audit(tx, { accountId, campaignId: id, action: 'campaign.updated', actor, before: diffKeys(before, patch), after: patch });
  return c!;
}

export function listCampaigns(q: Queryable, accountId: string): Promise<Campaign[]> {
  return q.select().from(campaigns).where(eq(campaigns.accountId, accountId)).orderBy(asc(campaigns.createdAt));
}

function diffKeys(before: Campaign, patch: Partial<CampaignInput>) {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(patch)) out[k] = (before as unknown as Record<string, unknown>)[k];
  return out;
}

import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { connections, crmPushQueue, participants, syncRuns, type Connection } from '../../../server/db/schema.ts';
import { PUBLIC_URL, startHub, type Hub } from '../../hubspot/harness.ts';

// The set-up the HubSpot fault drills share: one installed portal with workers running, faults and
// rate limits reset before each test, and the checks every drill ends with.

export const actor = { type: 'user' as const, source: 'admin' as const, label: 'admin@acme.test' };

export function useFaultyHub() {
  const d = {} as { hub: Hub; api: Awaited<ReturnType<Hub['apiFor']>>; connection: Connection };
  beforeAll(async () => {
    d.hub = await startHub();
    const installed = await d.hub.install();
    d.connection = installed.connection;
    d.api = await d.hub.apiFor(installed.accountId);
  }, 60_000);
  afterAll(() => d.hub?.stop());
  beforeEach(() => {
    d.hub.emu.faults.clear();
    d.hub.emu.rateLimits.configure({ max: 110, windowMs: 10_000 });
    d.hub.emu.rateLimits.reset();
    d.hub.emu.requestLog.clear();
  });

  const portal = () => d.hub.emu.portal(d.hub.portalId);
  return {
    get hub() {
      return d.hub;
    },
    get connection() {
      return d.connection;
    },
    api: (...args: Parameters<typeof d.api>) => d.api(...args),
    portal,
    runOf: async (id: string) => (await d.hub.t.ctx.db.select().from(syncRuns).where(eq(syncRuns.id, id)))[0]!,
    conn: async () => (await d.hub.t.ctx.db.select().from(connections).where(eq(connections.id, d.connection.id)))[0]!,
    pushQueue: () => d.hub.t.ctx.db.select().from(crmPushQueue).where(eq(crmPushQueue.connectionId, d.connection.id)),
    newList(name: string, size: number, emailDomain: string) {
      const listId = d.hub.emu.ui.createList(d.hub.portalId, { name, processingType: 'MANUAL' });
      d.hub.emu.generateContacts(d.hub.portalId, size, { addToList: { listId }, emailDomain });
      return String(listId);
    },
    /** every list member a participant exactly once, and every one of them carrying its link in HubSpot */
    async expectEnrolledOnceWithLinks(campaignId: string, listId: string, size: number) {
      const people = await d.hub.t.ctx.db.select({ id: participants.id, email: participants.email }).from(participants).where(eq(participants.campaignId, campaignId));
      expect(people).toHaveLength(size);
      expect(new Set(people.map((p) => p.email)).size).toBe(size);
      const members = portal().list(Number(listId))!.members;
      const missing = members.map((id) => portal().contact(Number(id))!).filter((c) => !c.properties.refcard_referral_link?.startsWith(`${PUBLIC_URL}/r/`));
      expect(missing.map((c) => c.properties.email)).toEqual([]);
    },
  };
}

// Bulk contacts for sync and load tests (100,000 in well under a second). Builds records
// directly — no per-contact validation or webhooks — from a seeded PRNG, so runs repeat.
import { indexContact } from './contacts.ts';
import type { AttrValue, ContactRec, Role, Store } from './state.ts';
import { findOrCreateTag } from './tags.ts';

export interface GenerateOptions {
  /** Share (0–1) of leads; the rest are users. Default 0. */
  leadShare?: number;
  /** Tag name → share (0–1) of contacts carrying it. Tags are created when missing. */
  tags?: Record<string, number>;
  /** Custom attribute name → value (or value per contact). The attributes must exist. */
  attributes?: Record<string, AttrValue | ((index: number, random: () => number) => AttrValue)>;
  /** Email domain; default `example.test`. */
  emailDomain?: string;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Spread of created_at (unix seconds); default the last 365 days. */
  createdBetween?: [number, number];
}

export interface GenerateResult { count: number; firstId: string | null; lastId: string | null; durationMs: number }

const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Barbara', 'Edsger', 'Donald', 'Frances', 'John', 'Radia', 'Ken', 'Dennis', 'Margaret', 'Tim', 'Hedy', 'Claude'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Liskov', 'Dijkstra', 'Knuth', 'Allen', 'Backus', 'Perlman', 'Thompson', 'Ritchie', 'Hamilton', 'Lee', 'Lamarr', 'Shannon'];

export const mulberry32 = (seed: number) => () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

export function generateContacts(store: Store, idCode: string, n: number, opts: GenerateOptions = {}): GenerateResult {
  const started = Date.now();
  const ws = store.workspace(idCode);
  const random = mulberry32(opts.seed ?? 1);
  const domain = opts.emailDomain ?? 'example.test';
  const now = store.nowSeconds();
  const [from, to] = opts.createdBetween ?? [now - 365 * 86_400, now];
  const admin = [...ws.admins.keys()][0] ?? '0';
  const tags = Object.entries(opts.tags ?? {}).map(([name, share]) => ({ id: findOrCreateTag(store, ws, name).id, share }));
  const attrs = Object.entries(opts.attributes ?? {});
  for (const [name] of attrs) {
    if (!ws.data_attributes.some((a) => a.custom && a.model === 'contact' && a.name === name)) {
      throw new Error(`Intercom emulator: generateContacts: create data attribute "${name}" first`);
    }
  }
  const base = ws.contacts.size;
  let firstId: string | null = null;
  let lastId: string | null = null;
  for (let i = 0; i < n; i++) {
    const index = base + i;
    const first = FIRST[Math.floor(random() * FIRST.length)];
    const last = LAST[Math.floor(random() * LAST.length)];
    const role: Role = random() < (opts.leadShare ?? 0) ? 'lead' : 'user';
    const created = Math.floor(from + random() * (to - from));
    const custom: Record<string, AttrValue> = {};
    for (const [name, v] of attrs) custom[name] = typeof v === 'function' ? v(index, random) : v;
    const c: ContactRec = {
      id: store.objectId(), seq: store.nextSeq(), role, external_id: role === 'user' ? `gen-${index}` : null,
      email: `${first}.${last}.${index}@${domain}`.toLowerCase(), phone: null, name: `${first} ${last}`, avatar: null, owner_id: null,
      has_hard_bounced: false, marked_email_as_spam: false, unsubscribed_from_emails: false,
      created_at: created, updated_at: created, signed_up_at: role === 'user' ? created : null, last_seen_at: null,
      last_replied_at: null, last_contacted_at: null, last_email_opened_at: null, last_email_clicked_at: null,
      language_override: null, browser: null, browser_version: null, browser_language: null, os: null,
      location: { country: null, region: null, city: null, country_code: null, continent_code: null },
      custom_attributes: custom,
      tags: tags.filter((t) => random() < t.share).map((t) => ({ id: t.id, applied_at: created, applied_by: { type: 'admin', id: admin } })),
      company_ids: [], archived: false, searchable_at: 0,
    };
    ws.contacts.set(c.id, c);
    indexContact(ws, c);
    firstId ??= c.id;
    lastId = c.id;
  }
  store.touch(ws);
  return { count: n, firstId, lastId, durationMs: Date.now() - started };
}

import type { AppContext } from '../context.ts';
import type { Connection } from '../db/schema.ts';
import type { CrmContact } from '../program/contact-view.ts';
import { storableText } from '../http/json-body.ts';
import type { CanvasKitContact } from '../../intercom-canvas/index.ts';
import { intercomApi } from './client.ts';
import { contactEmail, findContact } from './contacts.ts';

// The contact a canvas is about. Intercom sends the whole contact with every inbox request, so
// the hot path makes no API call; only a body without an email field (seen with trimmed payloads)
// costs one lookup, remembered briefly since the sidebar re-initializes on every conversation switch.

const TTL_MS = 5 * 60 * 1000;
const MAX_ENTRIES = 10_000;
const cache = new Map<string, { contact: CrmContact | null; at: number }>();

/** The contact as the request describes it, when it says enough (it has an email field); else null. */
export function contactInRequest(sent: CanvasKitContact): CrmContact | null {
  // "" is Intercom saying "no email"; only an absent field needs asking.
  if (sent.email === undefined || sent.email === null) return null;
  return { crmId: sent.id, email: clean(sent.email), name: clean(sent.name) };
}

export async function canvasContact(ctx: AppContext, connection: Connection, sent: CanvasKitContact): Promise<CrmContact | null> {
  const given = contactInRequest(sent);
  if (given) return given;
  const name = clean(sent.name);
  const key = `${connection.id}:${sent.id}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.contact;
  const found = await findContact(intercomApi(ctx, connection), sent.id);
  const contact = found ? { crmId: found.id, email: found.email ? clean(contactEmail(found)) : null, name: name ?? clean(found.name) } : null;
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, { contact, at: Date.now() });
  return contact;
}

/** Text PostgreSQL can store, bounded; null for blank. */
function clean(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = storableText(v.trim()).slice(0, 320);
  return s || null;
}

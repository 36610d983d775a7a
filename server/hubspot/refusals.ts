import { eq } from 'drizzle-orm';
import { appMeta } from '../db/schema.ts';
import type { AppContext } from '../context.ts';

// What HubSpot refused lately when Refcard wrote to a portal, kept so that pushes avoid it and
// admins can see it: properties no write can use (left out of every write for a while), and
// single values HubSpot refused for one contact (the latest few).

/** A property HubSpot refused for the whole portal is left out of writes this long before it is tried again. */
export const DROP_FOR_MS = 10 * 60 * 1000;
/** Refused values kept for the console: enough to spot a pattern, not a log. */
const KEEP_VALUES = 20;

export interface DroppedProperty {
  code: string;
  at: string;
}

export interface RefusedValue {
  /** the contact's id, or the email a contact is written by */
  contact: string;
  property: string;
  value: string;
  code: string;
  message: string;
  at: string;
}

export const droppedPropertiesKey = (connectionId: string) => `hubspot.dropped_properties:${connectionId}`;
const refusedValuesKey = (connectionId: string) => `hubspot.refused_values:${connectionId}`;

async function read<T>(ctx: AppContext, key: string, empty: T): Promise<T> {
  const [row] = await ctx.db.select().from(appMeta).where(eq(appMeta.key, key));
  return (row?.value as T) ?? empty;
}

async function write(ctx: AppContext, key: string, value: unknown): Promise<void> {
  await ctx.db
    .insert(appMeta)
    .values({ key, value })
    .onConflictDoUpdate({ target: appMeta.key, set: { value, updatedAt: new Date() } });
}

/** Properties HubSpot refused for the portal, with the reason and since when (lapsed ones too). */
export function droppedProperties(ctx: AppContext, connectionId: string): Promise<Record<string, DroppedProperty>> {
  return read(ctx, droppedPropertiesKey(connectionId), {});
}

/** The properties still left out of this portal's writes: property → HubSpot's code. */
export async function recentlyDropped(ctx: AppContext, connectionId: string): Promise<Map<string, string>> {
  const all = await droppedProperties(ctx, connectionId);
  return new Map(Object.entries(all).filter(([, v]) => !lapsed(v)).map(([k, v]) => [k, v.code]));
}

export const lapsed = (d: DroppedProperty, now = Date.now()) => now - Date.parse(d.at) >= DROP_FOR_MS;

/** Saves a run's left-out properties; one refused again keeps the time it was first refused. */
export async function rememberDropped(ctx: AppContext, connectionId: string, dropped: Map<string, string>): Promise<void> {
  const previous = await droppedProperties(ctx, connectionId);
  const now = new Date().toISOString();
  const value: Record<string, DroppedProperty> = {};
  for (const [name, code] of dropped) value[name] = previous[name] && !lapsed(previous[name]) ? previous[name] : { code, at: now };
  if (Object.keys(value).length === 0 && Object.keys(previous).length === 0) return;
  await write(ctx, droppedPropertiesKey(connectionId), value);
}

/** The latest values HubSpot refused for one contact, newest first. */
export function refusedValues(ctx: AppContext, connectionId: string): Promise<RefusedValue[]> {
  return read(ctx, refusedValuesKey(connectionId), []);
}

export async function rememberRefusedValues(ctx: AppContext, connectionId: string, fresh: RefusedValue[]): Promise<void> {
  if (fresh.length === 0) return;
  const kept = [...fresh].reverse().concat(await refusedValues(ctx, connectionId)).slice(0, KEEP_VALUES);
  await write(ctx, refusedValuesKey(connectionId), kept);
}

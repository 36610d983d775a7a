import { eq, inArray } from 'drizzle-orm';
import { appMeta } from '../db/schema.ts';
import type { AppContext } from '../context.ts';

// What HubSpot refused lately when Refcard wrote to a portal, kept so that pushes avoid it and
// admins can see it: properties no write can use (left out of every write for a while), and
// single values HubSpot refused for one contact (the latest few).

/** A property HubSpot refused for the whole portal is left out of writes this long before it is tried again. */
export const DROP_FOR_MS = 10 * 60 * 1000;
const NAMES = new Set(['firstname', 'lastname']);
/** Refused values kept for the console: enough to spot a pattern, not a log. */
const KEEP_VALUES = 20;

export interface DroppedProperty {
  code: string;
  at: string;
}

export interface RefusedValue {
  /** the contact's id, or the email a contact is written by */
  contact: string;
  email: string | null;
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

/** Whether a property's time out is over: it is tried again. */
export const lapsed = (d: DroppedProperty, now = Date.now()) => now - Date.parse(d.at) >= DROP_FOR_MS;

/** Properties HubSpot refused for the portal, with the reason and since when (lapsed ones too). */
export function droppedProperties(ctx: AppContext, connectionId: string): Promise<Record<string, DroppedProperty>> {
  return read(ctx, droppedPropertiesKey(connectionId), {});
}

/** The properties still left out of this portal's writes: property → HubSpot's code. */
export function stillDropped(dropped: Record<string, DroppedProperty>): Map<string, string> {
  return new Map(Object.entries(dropped).flatMap(([k, v]) => (lapsed(v) ? [] : [[k, v.code] as const])));
}

/**
 * First or last names HubSpot refused for the whole portal whose time out is over. Contacts
 * Refcard created meanwhile are owed them, and would otherwise wait for their next change.
 */
export function lapsedNames(dropped: Record<string, DroppedProperty>): string[] {
  return Object.entries(dropped).flatMap(([k, v]) => (NAMES.has(k) && lapsed(v) ? [k] : []));
}

/** Connections whose names have come out of a time out: their push has names to pay. */
export async function connectionsWithLapsedNames(ctx: AppContext, connectionIds: string[]): Promise<string[]> {
  if (connectionIds.length === 0) return [];
  const rows = await ctx.db.select().from(appMeta).where(inArray(appMeta.key, connectionIds.map(droppedPropertiesKey)));
  const byKey = new Map(rows.map((r) => [r.key, r.value as Record<string, DroppedProperty>]));
  return connectionIds.filter((id) => lapsedNames(byKey.get(droppedPropertiesKey(id)) ?? {}).length);
}

/**
 * Saves a run's left-out properties over `previous`, the record the run started from (lapsed ones
 * go); one refused again keeps the time it was first refused.
 */
export async function rememberDropped(ctx: AppContext, connectionId: string, previous: Record<string, DroppedProperty>, dropped: Map<string, string>): Promise<void> {
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

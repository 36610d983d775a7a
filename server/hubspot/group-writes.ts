import { HUBSPOT_PROPERTIES } from '../../shared/campaign.ts';
import type { HubspotApi } from './client.ts';
import { blamedProperties, HubspotApiError, type Blamed } from './errors.ts';
import { ensureProperties } from './properties.ts';
import type { Outcome } from './push-queue.ts';
import type { RefusedValue } from './refusals.ts';

// One kind of batch write (update, upsert, create) for a set of contacts, working around what
// HubSpot refuses. HubSpot refuses a batch as a whole and names the property, not the contact. A
// property no write can use (deleted, read-only) is left out for the whole portal. A value HubSpot
// refuses (an admin's validation rule, an option that does not exist) is one contact's: the batch
// is split in halves until that contact is found, and only its write goes without the value.

/** HubSpot's codes for a property that no value can be written to. */
const UNUSABLE_PROPERTY = new Set(['PROPERTY_DOESNT_EXIST', 'READ_ONLY_VALUE']);
/**
 * The writes (batch calls; two for an upsert that names the contacts it created) one group write
 * may make to find which contacts carry refused values: one such value among 100 contacts takes
 * 16, two about 28. A value refused more widely than that is a mapping problem, not a contact's,
 * and the property is left out for the portal.
 */
const MAX_WRITES = 32;
/** The outcome of a row until something better is known: its participant is erased or deleted. */
export const GONE: Outcome = { kind: 'done', note: 'erased or gone' };
const OWN_PROPERTIES = new Set(HUBSPOT_PROPERTIES.map((p) => p.name));

export type Props = Record<string, string>;

/** What one contact is sent: one input of a batch. */
export interface Group {
  participants: string[];
  /** the person's email, to name the contact to an admin */
  email: string | null;
  properties: Props;
  /** firstname/lastname for a contact Refcard creates, where known and not mapped otherwise */
  names: Props;
}

/** One group's write, less the properties HubSpot refused lately (names included). */
export interface WriteInput {
  key: string;
  properties: Props;
  names: Props;
  /** the names left out: a contact Refcard created still owes them (see crmLinks.namesOwed) */
  leftOut: string[];
}

/** What a push run learns of HubSpot's refusals, shared by its writes. */
export interface RunState {
  /** property → why HubSpot refused it; left out of every write to the portal */
  dropped: Map<string, string>;
  /** values HubSpot refused for one contact in this run, for the console */
  refused: RefusedValue[];
  ensured: boolean;
}

/**
 * Runs `write` for every group, once if all goes well. Our own properties are re-created once if
 * HubSpot says one is missing. Groups whose write HubSpot still refuses are marked failed.
 */
export async function writeGroups(
  api: HubspotApi,
  state: RunState,
  groups: Map<string, Group>,
  outcomes: Map<string, Outcome>,
  write: (inputs: WriteInput[]) => Promise<void>,
): Promise<void> {
  if (groups.size === 0) return;
  // key → the properties HubSpot refused for that contact alone (their values)
  const refusedOf = new Map<string, Set<string>>();
  let writes = 0;

  const inputOf = (key: string): WriteInput => {
    const g = groups.get(key)!;
    const skip = (name: string) => state.dropped.has(name) || !!refusedOf.get(key)?.has(name);
    const names = omit(g.names, skip);
    return { key, properties: omit(g.properties, skip), names, leftOut: Object.keys(g.names).filter((n) => !(n in names)) };
  };

  const writeKeys = async (keys: string[]): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        writes++;
        await write(keys.map(inputOf));
        for (const key of keys) for (const pid of groups.get(key)!.participants) if (outcomes.get(pid) === GONE) outcomes.set(pid, { kind: 'done' });
        return;
      } catch (err) {
        if (!(err instanceof HubspotApiError)) throw err;
        const blamed = blamedProperties(err);
        const ours = blamed.filter((b) => OWN_PROPERTIES.has(b.name) && b.code === 'PROPERTY_DOESNT_EXIST');
        if (attempt < 3 && ours.length && !state.ensured) {
          state.ensured = true;
          await ensureProperties(api);
          continue;
        }
        const fresh = blamed.filter((b) => !state.dropped.has(b.name));
        // (a value already left out for every contact here cannot be what HubSpot refuses now)
        const values = fresh.filter((b) => !UNUSABLE_PROPERTY.has(b.code) && !keys.every((k) => refusedOf.get(k)?.has(b.name)));
        const unusable = fresh.filter((b) => UNUSABLE_PROPERTY.has(b.code));
        if (attempt < 3 && unusable.length) {
          for (const b of unusable) state.dropped.set(b.name, b.code);
          continue;
        }
        if (attempt < 3 && values.length && keys.length === 1) {
          refuseFor(keys[0]!, values);
          continue;
        }
        if (attempt < 3 && values.length && writes + 2 <= MAX_WRITES) {
          // Written in the order of the batch: a contact is in one half only, so its writes keep their order.
          const half = Math.ceil(keys.length / 2);
          await writeKeys(keys.slice(0, half));
          await writeKeys(keys.slice(half));
          return;
        }
        if (attempt < 3 && values.length) {
          for (const b of values) state.dropped.set(b.name, b.code);
          continue;
        }
        for (const key of keys) for (const pid of groups.get(key)!.participants) outcomes.set(pid, { kind: 'failed', message: err.message });
        return;
      }
    }
  };

  const refuseFor = (key: string, values: Blamed[]) => {
    const g = groups.get(key)!;
    const mine = refusedOf.get(key) ?? new Set<string>();
    for (const b of values) {
      mine.add(b.name);
      const value = g.properties[b.name] ?? g.names[b.name] ?? '';
      state.refused.push({ contact: key, email: g.email, property: b.name, value: value.slice(0, 200), code: b.code, message: b.message.slice(0, 300), at: new Date().toISOString() });
    }
    refusedOf.set(key, mine);
  };

  await writeKeys([...groups.keys()]);
}

function omit(props: Props, skip: (name: string) => boolean): Props {
  return Object.fromEntries(Object.entries(props).filter(([k]) => !skip(k)));
}

import type { EmulatorState } from './state.ts';
import { objectKind } from './serialize.ts';
import {
  OBJECT_TYPE_IDS, SINGULAR, type AppWebhooksConfig, type Change, type ChangeEnvelope, type ObjectKind,
  type RegisteredApp, type RegisteredSubscription,
} from './types.ts';

// Turns portal changes into the webhook events an app subscribed to, in HubSpot's payload shape:
// legacy `contact.propertyChange`-style subscriptions and generic `object.*` ones (which add
// objectTypeId). A subscription to a property the portal does not have fires nothing.

export type WebhookEvent = Record<string, unknown> & { eventId: number; attemptNumber: number };

export function registerSubscriptions(state: EmulatorState, config: AppWebhooksConfig | undefined): RegisteredSubscription[] {
  if (!config) return [];
  const out: RegisteredSubscription[] = [];
  for (const style of ['crmObjects', 'legacyCrmObjects', 'hubEvents'] as const) {
    for (const s of config.subscriptions[style] ?? []) out.push({ ...s, style, id: state.nextSubscriptionId++ });
  }
  return out;
}

function subjectKind(ch: Change): ObjectKind {
  return ch.kind === 'associationChange' ? ch.fromKind : ch.objectKind;
}

/** Does this subscription ask for this change? */
function wants(sub: RegisteredSubscription, ch: Change, propertyExists: (kind: ObjectKind, name: string) => boolean): boolean {
  if (sub.active === false) return false;
  const [prefix, action] = sub.subscriptionType.split('.');
  if (action !== ch.kind) return false;
  const kind = subjectKind(ch);
  if (sub.style === 'crmObjects' || prefix === 'object') {
    if (prefix !== 'object' || objectKind(sub.objectType ?? '') !== kind) return false;
  } else if (prefix !== SINGULAR[kind]) {
    return false;
  }
  if (ch.kind === 'propertyChange') {
    return !!sub.propertyName && sub.propertyName === ch.propertyName && propertyExists(kind, sub.propertyName);
  }
  return true;
}

function payload(ch: Change): Record<string, unknown> {
  switch (ch.kind) {
    case 'creation':
      return { objectId: ch.objectId, changeFlag: 'CREATED' };
    case 'deletion':
    case 'privacyDeletion':
      return { objectId: ch.objectId, changeFlag: 'DELETED' };
    case 'restore':
      return { objectId: ch.objectId, changeFlag: 'RESTORED' };
    case 'propertyChange':
      return { objectId: ch.objectId, propertyName: ch.propertyName, propertyValue: ch.propertyValue };
    case 'merge':
      return {
        objectId: ch.newObjectId, changeFlag: 'MERGED', primaryObjectId: ch.primaryObjectId, mergedObjectIds: ch.mergedObjectIds,
        newObjectId: ch.newObjectId, numberOfPropertiesMoved: ch.numberOfPropertiesMoved,
      };
    case 'associationChange':
      return {
        associationType: `${SINGULAR[ch.fromKind].toUpperCase()}_TO_${SINGULAR[ch.toKind].toUpperCase()}`,
        fromObjectId: ch.fromObjectId, toObjectId: ch.toObjectId, associationRemoved: ch.removed, isPrimaryAssociation: false,
      };
  }
}

export function eventsFor(state: EmulatorState, app: RegisteredApp, env: ChangeEnvelope): WebhookEvent[] {
  const portal = state.portals.get(env.portalId);
  if (!portal) return [];
  const exists = (kind: ObjectKind, name: string) => !!portal.schemas[kind].live(name);
  const out: WebhookEvent[] = [];
  for (const sub of app.subscriptions) {
    if (!wants(sub, env.change, exists)) continue;
    const event: WebhookEvent = {
      eventId: state.nextEventId++,
      subscriptionId: sub.id,
      portalId: env.portalId,
      appId: app.appId,
      occurredAt: env.at,
      subscriptionType: sub.subscriptionType,
      attemptNumber: 0,
      ...payload(env.change),
      changeSource: env.source.changeSource,
    };
    if (env.source.sourceId !== undefined) event.sourceId = env.source.sourceId;
    if (sub.subscriptionType.startsWith('object.')) {
      const kind = subjectKind(env.change);
      event.objectTypeId = OBJECT_TYPE_IDS[kind];
      if (env.change.kind === 'associationChange') {
        event.fromObjectTypeId = OBJECT_TYPE_IDS[env.change.fromKind];
        event.toObjectTypeId = OBJECT_TYPE_IDS[env.change.toKind];
        event.associationTypeId = env.change.fromKind === 'deals' ? 3 : 4;
      }
    }
    out.push(event);
  }
  return out;
}

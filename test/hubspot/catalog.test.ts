import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../../server/db/schema.ts';
import { listLists, listPipelines, listProperties } from '../../server/hubspot/catalog.ts';
import { startHub, type Hub } from './harness.ts';

// What the console's pickers offer, read live from the portal.

let hub: Hub;
let connection: Connection;

beforeAll(async () => {
  hub = await startHub({ workers: false });
  hub.emu.seedPortal(hub.portalId, {
    pipelines: [{ id: '8001', label: 'Partners', stages: [{ id: '9001', label: 'Intro' }, { id: '9002', label: 'Signed', isClosed: true }] }],
    contacts: [{ key: 'a', properties: { email: 'a@cat.test', lifecyclestage: 'customer' } }],
    lists: [
      { name: 'VIPs', members: ['a'] },
      { name: 'Customers', where: { lifecyclestage: 'customer' } },
      { name: 'Frozen', processingType: 'SNAPSHOT', members: ['a'] },
    ],
  });
  connection = (await hub.install()).connection;
});
afterAll(() => hub?.stop());

describe('the catalog of a portal', () => {
  it('lists every writable contact property, form field or not, with those it cannot write marked and explained', async () => {
    const props = await listProperties(hub.t.ctx, connection);
    const by = Object.fromEntries(props.map((p) => [p.name, p]));
    expect(by.hubspot_owner_id).toMatchObject({ writable: true, reason: null });
    expect(hub.emu.portal(hub.portalId).property('contacts', 'hubspot_owner_id')!.formField).toBe(false);
    expect(by.refcard_referral_link).toMatchObject({ writable: true, groupName: 'refcard', type: 'string', label: 'Referral link' });
    expect(by.lifecyclestage!.options).toEqual(expect.arrayContaining([{ label: expect.any(String), value: 'customer' }]));
    expect(by.hs_email_domain).toMatchObject({ writable: false, reason: 'calculated by HubSpot' });
    expect(by.hs_object_id).toMatchObject({ writable: false, reason: 'read-only: HubSpot sets its value' });
    const firstUnwritable = props.findIndex((p) => !p.writable);
    expect(props.slice(firstUnwritable).every((p) => !p.writable)).toBe(true);
  });

  it('lists deal pipelines with their stages in board order', async () => {
    const pipelines = await listPipelines(hub.t.ctx, connection);
    const sales = pipelines.find((p) => p.id === 'default')!;
    expect(sales.stages.map((s) => s.id)).toEqual(['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']);
    expect(sales.stages.find((s) => s.id === 'closedwon')!.isClosed).toBe(true);
    expect(pipelines.find((p) => p.id === '8001')).toEqual({ id: '8001', label: 'Partners', stages: [{ id: '9001', label: 'Intro', isClosed: false }, { id: '9002', label: 'Signed', isClosed: true }] });
  });

  it('lists every contact list, past the first page, with its kind and size', async () => {
    for (let i = 0; i < 105; i++) hub.emu.ui.createList(hub.portalId, { name: `Campaign list ${i}`, processingType: 'MANUAL' });
    const lists = await listLists(hub.t.ctx, connection);
    expect(lists).toHaveLength(108);
    expect(lists.find((l) => l.name === 'VIPs')).toMatchObject({ processingType: 'MANUAL', size: 1 });
    expect(lists.find((l) => l.name === 'Customers')).toMatchObject({ processingType: 'DYNAMIC', size: 1 });
    expect(lists.find((l) => l.name === 'Frozen')).toMatchObject({ processingType: 'SNAPSHOT' });
  });
});

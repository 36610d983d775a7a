import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { componentIdFor, parseComponentId, type CanvasIntent } from '../../intercom-canvas/index.ts';

describe('component ids', () => {
  it.each<[string, CanvasIntent]>([
    ['qualify:par_1', { action: 'qualify', participantId: 'par_1' }],
    ['unqualify:par_1', { action: 'unqualify_prompt', participantId: 'par_1' }],
    ['confirm_unqualify:par_1', { action: 'unqualify', participantId: 'par_1' }],
    ['enrol', { action: 'enrol' }],
    ['campaign', { action: 'select_campaign' }],
    ['refresh', { action: 'refresh' }],
    ['cancel', { action: 'cancel' }],
  ])('%s ⇄ %j', (id, intent) => {
    expect(componentIdFor(intent)).toBe(id);
    expect(parseComponentId(id)).toEqual(intent);
  });

  it.each(['open_link', 'open_console', '', 'qualify:', 'unqualify:', 'confirm_unqualify:', 'Qualify:x', 'enrol:x', 'reason', 'sheet'])(
    '%j carries no instruction',
    (id) => expect(parseComponentId(id)).toBeNull(),
  );

  it('round-trips any participant id (colons, unicode, prefixes inside)', () => {
    const intent = fc.oneof(
      fc.record({ action: fc.constantFrom('qualify', 'unqualify_prompt', 'unqualify'), participantId: fc.string({ minLength: 1, unit: 'binary' }) }),
      fc.constantFrom<CanvasIntent>({ action: 'enrol' }, { action: 'select_campaign' }, { action: 'refresh' }, { action: 'cancel' }),
    ) as fc.Arbitrary<CanvasIntent>;
    fc.assert(fc.property(intent, (i) => {
      expect(parseComponentId(componentIdFor(i))).toEqual(i);
    }));
    expect(parseComponentId(componentIdFor({ action: 'qualify', participantId: 'confirm_unqualify:x' }))).toEqual({ action: 'qualify', participantId: 'confirm_unqualify:x' });
  });
});

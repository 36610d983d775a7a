import { describe, expect, it } from 'vitest';
import { SOURCES, transitionLead } from '../../shared/qualification.ts';

describe('transitionLead', () => {
  it.each([
    [null, 'qualify', { changed: false, why: 'not_a_lead' }],
    [null, 'unqualify', { changed: false, why: 'not_a_lead' }],
    ['pending', 'qualify', { changed: true, from: 'pending', to: 'qualified' }],
    ['pending', 'unqualify', { changed: true, from: 'pending', to: 'unqualified' }],
    ['qualified', 'qualify', { changed: false, why: 'already_qualified' }],
    ['qualified', 'unqualify', { changed: true, from: 'qualified', to: 'unqualified' }],
    ['unqualified', 'qualify', { changed: true, from: 'unqualified', to: 'qualified' }],
    ['unqualified', 'unqualify', { changed: false, why: 'already_unqualified' }],
  ] as const)('from %s, %s gives %j', (current, action, expected) => {
    expect(transitionLead(current, action)).toEqual(expected);
  });

  it('never leads back to pending, and repeating any transition changes nothing', () => {
    for (const current of ['pending', 'qualified', 'unqualified'] as const) {
      for (const action of ['qualify', 'unqualify'] as const) {
        const t = transitionLead(current, action);
        if (t.changed) {
          expect(t.to).not.toBe('pending');
          expect(transitionLead(t.to, action).changed).toBe(false);
        }
      }
    }
  });
});

describe('SOURCES', () => {
  it('has a human label for every source a status change can come from', () => {
    for (const [key, label] of Object.entries(SOURCES)) {
      expect(key).toMatch(/^[a-z_]+$/);
      expect(label.length).toBeGreaterThan(0);
    }
    expect(SOURCES.hubspot_deal_stage).toBe('HubSpot deal stage');
  });
});

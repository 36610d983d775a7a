import { describe, expect, it } from 'vitest';
import { defaultFieldMapping, PARTICIPANT_FIELDS, type OutboundMappingRow } from '../../shared/campaign.ts';
import { inboundValues, outboundValues, type ParticipantValues } from '../../shared/mapping.ts';

const values = (over: Partial<ParticipantValues> = {}): ParticipantValues => ({
  ...(Object.fromEntries(PARTICIPANT_FIELDS.map((f) => [f, null])) as ParticipantValues),
  referral_link: 'https://refcard.example/r/abcdefghjk',
  referral_code: 'abcdefghjk',
  referrals: 3,
  qualified_referrals: 0,
  email: 'ann@example.com',
  ...over,
});

describe('outboundValues', () => {
  it('writes a dynamic row from the participant’s field', () => {
    const rows: OutboundMappingRow[] = [
      { target: 'refcard_referral_link', source: { kind: 'field', field: 'referral_link' } },
      { target: 'refcard_referrals', source: { kind: 'field', field: 'referrals' } },
    ];
    expect(outboundValues(rows, values())).toEqual({ refcard_referral_link: 'https://refcard.example/r/abcdefghjk', refcard_referrals: 3 });
  });

  it('writes a fixed row’s constant whatever the participant holds', () => {
    const rows: OutboundMappingRow[] = [{ target: 'lead_source', source: { kind: 'fixed', value: 'Referral' } }];
    expect(outboundValues(rows, values())).toEqual({ lead_source: 'Referral' });
    expect(outboundValues([{ target: 'blank', source: { kind: 'fixed', value: '' } }], values())).toEqual({ blank: '' });
  });

  it("sends '' for an empty field, because CRMs clear a value with an empty string (Intercom rejects null)", () => {
    const rows: OutboundMappingRow[] = [
      { target: 'referred_by', source: { kind: 'field', field: 'referred_by_email' } },
      { target: 'first', source: { kind: 'field', field: 'first_name' } },
    ];
    expect(outboundValues(rows, values())).toEqual({ referred_by: '', first: '' });
  });

  it('keeps a zero count as 0, not as an empty string', () => {
    expect(outboundValues([{ target: 'q', source: { kind: 'field', field: 'qualified_referrals' } }], values())).toEqual({ q: 0 });
  });

  it('lets a later row win when two rows write the same target', () => {
    const rows: OutboundMappingRow[] = [
      { target: 'x', source: { kind: 'field', field: 'email' } },
      { target: 'x', source: { kind: 'fixed', value: 'fixed' } },
    ];
    expect(outboundValues(rows, values())).toEqual({ x: 'fixed' });
  });

  it('maps every default HubSpot and Intercom row to a defined value', () => {
    const m = defaultFieldMapping();
    for (const rows of [m.hubspot.outbound, m.intercom.outbound]) {
      const out = outboundValues(rows, values());
      expect(Object.keys(out)).toHaveLength(rows.length);
      for (const v of Object.values(out)) expect(v === null || v === undefined).toBe(false);
    }
  });
});

describe('inboundValues', () => {
  const rows = [
    { source: 'firstname', target: 'first_name' as const },
    { source: 'lastname', target: 'last_name' as const },
    { source: 'company', target: 'custom.company' },
    { source: 'employees', target: 'custom.employees' },
  ];

  it('takes names and custom fields from the CRM record', () => {
    expect(inboundValues(rows, { firstname: 'Ann', lastname: 'Lee', company: 'Acme', employees: 42 })).toEqual({
      firstName: 'Ann',
      lastName: 'Lee',
      custom: { company: 'Acme', employees: '42' },
    });
  });

  it('skips missing, null and empty values instead of blanking what Refcard has', () => {
    expect(inboundValues(rows, { firstname: '', lastname: null, company: undefined })).toEqual({ custom: {} });
  });

  it('cuts values at 500 characters', () => {
    expect(inboundValues(rows, { firstname: 'x'.repeat(600) }).firstName).toHaveLength(500);
  });

  it('keeps false and 0, which are values, not absences', () => {
    expect(inboundValues([{ source: 'a', target: 'custom.a' }, { source: 'b', target: 'custom.b' }], { a: false, b: 0 })).toEqual({ custom: { a: 'false', b: '0' } });
  });
});

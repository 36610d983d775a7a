import { describe, expect, it } from 'vitest';
import type { QualificationRule } from '../../shared/campaign.ts';
import { describeRule, matchingRules, type CrmSignal } from '../../shared/rules.ts';

const deal: QualificationRule = { id: 'won', kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedwon' };
const lifecycle: QualificationRule = { id: 'customer', kind: 'hubspot_contact_property', property: 'lifecyclestage', value: 'customer' };
const tag: QualificationRule = { id: 'paid', kind: 'intercom_tag', tagId: '123', tagName: 'Paying' };
const attr: QualificationRule = { id: 'plan', kind: 'intercom_attribute', attribute: 'plan', value: 'pro' };
const all = [deal, lifecycle, tag, attr];

const ids = (signal: CrmSignal, rules = all) => matchingRules(rules, signal).map((r) => r.id);

describe('matchingRules', () => {
  it('matches a HubSpot deal stage only on the same pipeline and stage', () => {
    expect(ids({ kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedwon' })).toEqual(['won']);
    expect(ids({ kind: 'hubspot_deal_stage', pipelineId: 'other', stageId: 'closedwon' })).toEqual([]);
    expect(ids({ kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedlost' })).toEqual([]);
  });

  it('matches a HubSpot contact property on its exact value, ignoring surrounding white space', () => {
    expect(ids({ kind: 'hubspot_contact_property', property: 'lifecyclestage', value: 'customer' })).toEqual(['customer']);
    expect(ids({ kind: 'hubspot_contact_property', property: 'lifecyclestage', value: ' customer\n' })).toEqual(['customer']);
    expect(ids({ kind: 'hubspot_contact_property', property: 'lifecyclestage', value: 'Customer' })).toEqual([]);
    expect(ids({ kind: 'hubspot_contact_property', property: 'hs_lead_status', value: 'customer' })).toEqual([]);
  });

  it('never matches a property that was cleared (null), even against a rule expecting an empty value', () => {
    expect(ids({ kind: 'hubspot_contact_property', property: 'lifecyclestage', value: null })).toEqual([]);
    const empty: QualificationRule = { id: 'e', kind: 'hubspot_contact_property', property: 'x', value: '' };
    expect(ids({ kind: 'hubspot_contact_property', property: 'x', value: null }, [empty])).toEqual([]);
    expect(ids({ kind: 'hubspot_contact_property', property: 'x', value: '  ' }, [empty])).toEqual(['e']);
  });

  it('matches an Intercom tag by id, whatever its current name', () => {
    expect(ids({ kind: 'intercom_tag', tagId: '123' })).toEqual(['paid']);
    expect(ids({ kind: 'intercom_tag', tagId: '123', tagName: 'Renamed' })).toEqual(['paid']);
    expect(ids({ kind: 'intercom_tag', tagId: '999', tagName: 'Paying' })).toEqual([]);
  });

  it('matches an Intercom attribute on its exact value', () => {
    expect(ids({ kind: 'intercom_attribute', attribute: 'plan', value: 'pro' })).toEqual(['plan']);
    expect(ids({ kind: 'intercom_attribute', attribute: 'plan', value: ' pro ' })).toEqual(['plan']);
    expect(ids({ kind: 'intercom_attribute', attribute: 'plan', value: 'free' })).toEqual([]);
    expect(ids({ kind: 'intercom_attribute', attribute: 'plan', value: null })).toEqual([]);
  });

  it('never lets a signal of one kind meet a rule of another, even with look-alike values', () => {
    const attrLikeProperty: QualificationRule = { id: 'p', kind: 'hubspot_contact_property', property: 'plan', value: 'pro' };
    expect(ids({ kind: 'intercom_attribute', attribute: 'plan', value: 'pro' }, [attrLikeProperty])).toEqual([]);
  });

  it('returns every rule a signal meets, in rule order', () => {
    const twin: QualificationRule = { id: 'won2', kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedwon' };
    expect(ids({ kind: 'hubspot_deal_stage', pipelineId: 'default', stageId: 'closedwon' }, [deal, tag, twin])).toEqual(['won', 'won2']);
  });

  it('matches nothing when the campaign has no rules', () => {
    expect(ids({ kind: 'intercom_tag', tagId: '123' }, [])).toEqual([]);
  });
});

describe('describeRule', () => {
  it('describes each kind of rule in words an admin understands', () => {
    expect(describeRule(deal)).toBe('a deal in pipeline default reached stage closedwon');
    expect(describeRule(lifecycle)).toBe('HubSpot property lifecyclestage became "customer"');
    expect(describeRule(tag)).toBe('Intercom tag Paying was applied');
    expect(describeRule({ id: 't', kind: 'intercom_tag', tagId: '77' })).toBe('Intercom tag 77 was applied');
    expect(describeRule(attr)).toBe('Intercom attribute plan became "pro"');
  });
});

import type { QualificationRule } from './campaign.ts';

// Which qualification rules a CRM event meets. Values compare exactly, as the CRMs store them
// (stage ids, enumeration internal values), but with surrounding white space ignored.

export type CrmSignal =
  | { kind: 'hubspot_deal_stage'; pipelineId: string; stageId: string }
  | { kind: 'hubspot_contact_property'; property: string; value: string | null }
  | { kind: 'intercom_tag'; tagId: string; tagName?: string }
  | { kind: 'intercom_attribute'; attribute: string; value: string | null };

export function matchingRules(rules: QualificationRule[], signal: CrmSignal): QualificationRule[] {
  return rules.filter((rule) => {
    switch (rule.kind) {
      case 'hubspot_deal_stage':
        return signal.kind === rule.kind && signal.pipelineId === rule.pipelineId && signal.stageId === rule.stageId;
      case 'hubspot_contact_property':
        return signal.kind === rule.kind && signal.property === rule.property && same(signal.value, rule.value);
      case 'intercom_tag':
        return signal.kind === rule.kind && signal.tagId === rule.tagId;
      case 'intercom_attribute':
        return signal.kind === rule.kind && signal.attribute === rule.attribute && same(signal.value, rule.value);
    }
  });
}

const same = (a: string | null, b: string) => a !== null && a.trim() === b.trim();

export function describeRule(rule: QualificationRule): string {
  switch (rule.kind) {
    case 'hubspot_deal_stage':
      return `a deal in pipeline ${rule.pipelineId} reached stage ${rule.stageId}`;
    case 'hubspot_contact_property':
      return `HubSpot property ${rule.property} became "${rule.value}"`;
    case 'intercom_tag':
      return `Intercom tag ${rule.tagName ?? rule.tagId} was applied`;
    case 'intercom_attribute':
      return `Intercom attribute ${rule.attribute} became "${rule.value}"`;
  }
}

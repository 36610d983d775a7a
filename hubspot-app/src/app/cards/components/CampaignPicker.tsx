// Shown only when the account runs several campaigns.
import { Select } from '@hubspot/ui-extensions';
import type { CampaignOption } from '../lib/types.ts';

interface CampaignPickerProps {
  campaigns: CampaignOption[];
  current: CampaignOption;
  busy: boolean;
  onPick: (campaignId: string) => void;
}

export function CampaignPicker({ campaigns, current, busy, onPick }: CampaignPickerProps) {
  const options = campaigns.some((c) => c.id === current.id) ? campaigns : [current, ...campaigns];
  if (options.length < 2) return null;
  return (
    <Select
      name="campaign"
      testId="campaign-picker"
      label="Campaign"
      value={current.id}
      readOnly={busy}
      options={options.map((c) => ({ value: c.id, label: c.status === 'active' ? c.name : `${c.name} (${c.status})` }))}
      onChange={(value) => {
        if (String(value) !== current.id) onPick(String(value));
      }}
    />
  );
}

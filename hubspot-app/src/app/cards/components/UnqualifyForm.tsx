// Asks for an optional reason before unqualifying one of the contact's leads (it may void a
// reward, so it is never a single accidental click).
import { Box, Button, ButtonRow, Text, TextArea } from '@hubspot/ui-extensions';

interface UnqualifyFormProps {
  name: string;
  reason: string;
  busy: boolean;
  onReasonChange: (reason: string) => void;
  onConfirm: () => void;
  onCancel: () => void;
}

export function UnqualifyForm({ name, reason, busy, onReasonChange, onConfirm, onCancel }: UnqualifyFormProps) {
  return (
    <Box testId="unqualify-form">
      <Text format={{ fontWeight: 'demibold' }}>Unqualify {name}?</Text>
      <TextArea
        name="unqualify-reason"
        testId="unqualify-reason"
        label="Reason (optional)"
        placeholder="e.g. existing customer, duplicate"
        rows={2}
        maxLength={500}
        value={reason}
        onChange={onReasonChange}
      />
      <ButtonRow>
        <Button testId="confirm-unqualify" variant="destructive" disabled={busy} onClick={onConfirm}>
          Unqualify
        </Button>
        <Button testId="cancel-unqualify" variant="secondary" disabled={busy} onClick={onCancel}>
          Cancel
        </Button>
      </ButtonRow>
    </Box>
  );
}

// Component ids double as the instruction for the submit route: Intercom sends back only the id
// of the clicked component, so the id says what to do and to whom (`qualify:<participantId>`).

/** What a clicked component asks for; `participantId` always comes from the id itself. */
export type CanvasIntent =
  | { action: 'qualify'; participantId: string }
  /** show the reason prompt before unqualifying */
  | { action: 'unqualify_prompt'; participantId: string }
  /** the prompt's confirm button; the reason is in input_values[REASON_INPUT_ID] */
  | { action: 'unqualify'; participantId: string }
  | { action: 'enrol' }
  /** the campaign picker; the chosen campaign id is in input_values[CAMPAIGN_PICKER_ID] */
  | { action: 'select_campaign' }
  | { action: 'refresh' }
  /** leave the prompt, back to the contact canvas */
  | { action: 'cancel' };

export const CAMPAIGN_PICKER_ID = 'campaign';
export const REASON_INPUT_ID = 'reason';
/** url buttons: they open a tab and never reach the submit route */
export const OPEN_LINK_ID = 'open_link';
export const OPEN_CONSOLE_ID = 'open_console';

const PREFIX = {
  qualify: 'qualify:',
  unqualify_prompt: 'unqualify:',
  unqualify: 'confirm_unqualify:',
} as const;

/** The component id that triggers `intent`. */
export function componentIdFor(intent: CanvasIntent): string {
  switch (intent.action) {
    case 'qualify':
    case 'unqualify_prompt':
    case 'unqualify':
      return PREFIX[intent.action] + intent.participantId;
    case 'enrol':
      return 'enrol';
    case 'select_campaign':
      return CAMPAIGN_PICKER_ID;
    case 'refresh':
      return 'refresh';
    case 'cancel':
      return 'cancel';
  }
}

/** Inverse of `componentIdFor`; null for ids that carry no instruction (url buttons, unknown ids). */
export function parseComponentId(id: string): CanvasIntent | null {
  switch (id) {
    case 'enrol':
      return { action: 'enrol' };
    case CAMPAIGN_PICKER_ID:
      return { action: 'select_campaign' };
    case 'refresh':
      return { action: 'refresh' };
    case 'cancel':
      return { action: 'cancel' };
  }
  // Longest prefix first: "confirm_unqualify:" must not be read as something shorter.
  for (const action of ['unqualify', 'unqualify_prompt', 'qualify'] as const) {
    const prefix = PREFIX[action];
    if (id.startsWith(prefix)) {
      const participantId = id.slice(prefix.length);
      return participantId ? { action, participantId } : null;
    }
  }
  return null;
}

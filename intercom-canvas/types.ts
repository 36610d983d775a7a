// Canvas Kit types for the components, actions and bodies the Refcard inbox app uses.
// intercom-client 7 dropped its Canvas Kit types, so these follow Intercom's own schema
// (canvas-kit.schema.json, from Intercom-OpenAPI 2.11). Only the subset we render is typed;
// validate.ts checks real output against the full vendor schema.

/** Sends a submit request with every interactive value on the canvas. */
export interface SubmitAction {
  type: 'submit';
}

/** Opens a link in a new tab. */
export interface UrlAction {
  type: 'url';
  url: string;
}

// Sheet actions are Messenger-only ("not usable for building Inbox apps"), so they are not typed
// here at all; validate.ts rejects them if one ever slips in through a cast.
export type CanvasAction = SubmitAction | UrlAction;

export interface TextComponent {
  type: 'text';
  id?: string;
  /** Markdown: bold and links only. Put user data through `escapeMarkdown` first. */
  text: string;
  align?: 'left' | 'center' | 'right';
  style?: 'header' | 'paragraph' | 'muted' | 'error';
  bottom_margin?: 'none';
}

export interface DataTableItem {
  type: 'field-value';
  field: string;
  value: string;
}

export interface DataTableComponent {
  type: 'data-table';
  items: DataTableItem[];
}

/**
 * A list item. Images are deliberately left out: the vendor schema's `oneOf` between
 * "with image" and "without image" matches both for an item with an image, so it never validates.
 */
export interface ListItem {
  type: 'item';
  id: string;
  title: string;
  subtitle?: string;
  tertiary_text?: string;
  disabled?: boolean;
  action?: CanvasAction;
}

export interface ListComponent {
  type: 'list';
  items: ListItem[];
  disabled?: boolean;
}

export interface ButtonComponent {
  type: 'button';
  id: string;
  label: string;
  action: CanvasAction;
  style?: 'primary' | 'secondary' | 'link';
  disabled?: boolean;
}

export interface DividerComponent {
  type: 'divider';
  id?: string;
  bottom_margin?: 'none';
}

export interface SpacerComponent {
  type: 'spacer';
  id?: string;
  size?: 'xs' | 's' | 'm' | 'l' | 'xl';
}

export type SaveState = 'unsaved' | 'saved' | 'failed';

export interface InputComponent {
  type: 'input';
  id: string;
  label?: string;
  placeholder?: string;
  value?: string;
  /** renders an inline button */
  action?: CanvasAction;
  save_state?: SaveState;
  disabled?: boolean;
}

export interface TextAreaComponent {
  type: 'textarea';
  id: string;
  label?: string;
  placeholder?: string;
  value?: string;
  error?: boolean;
  disabled?: boolean;
}

export interface SelectOption {
  type: 'option';
  id: string;
  text: string;
  disabled?: boolean;
}

/** 2–10 options; with a submit action, picking an option submits at once. */
export interface SingleSelectComponent {
  type: 'single-select';
  id: string;
  options: SelectOption[];
  label?: string;
  value?: string;
  save_state?: SaveState;
  disabled?: boolean;
  action?: CanvasAction;
}

/** 2–10 options; has no action of its own (a button must submit it). */
export interface DropdownComponent {
  type: 'dropdown';
  id: string;
  options: SelectOption[];
  label?: string;
  value?: string;
  save_state?: SaveState;
  disabled?: boolean;
}

export type CanvasComponent =
  | TextComponent
  | DataTableComponent
  | ListComponent
  | ButtonComponent
  | DividerComponent
  | SpacerComponent
  | InputComponent
  | TextAreaComponent
  | SingleSelectComponent
  | DropdownComponent;

/** A static canvas (inbox apps cannot use `content_url`, which is Messenger-only). */
export interface Canvas {
  content: { components: CanvasComponent[] };
  /** Comes back in the next request's `current_canvas`; ≤ 64 KB. */
  stored_data?: Record<string, unknown>;
}

export interface InitializeResponse {
  canvas: Canvas;
}

export interface SubmitResponse {
  canvas: Canvas;
  /** "completed" is the only value Intercom accepts. */
  event?: { type: 'completed' };
}

// ---- request bodies (what Intercom POSTs to us) ----

/** The parts of Intercom's Contact object we read. */
export interface CanvasKitContact {
  type?: string;
  id: string;
  external_id?: string | null;
  email?: string | null;
  name?: string | null;
  role?: string;
  [key: string]: unknown;
}

export interface CanvasKitAdmin {
  id: string;
  email?: string | null;
  name?: string | null;
  [key: string]: unknown;
}

export interface CanvasKitContext {
  conversation_id?: number;
  location?: 'conversation' | 'home' | 'message' | 'operator';
  locale?: string;
  [key: string]: unknown;
}

/**
 * Intercom sends the viewed contact as `contact` (OpenAPI, SDK) or `customer` (HTML docs, Rails
 * sample); both are optional here and `requestContact()` reads whichever is present.
 */
export interface InitializeRequest {
  workspace_id: string;
  workspace_region?: string;
  admin?: CanvasKitAdmin;
  contact?: CanvasKitContact;
  customer?: CanvasKitContact;
  conversation?: { id?: string | number; [key: string]: unknown };
  context?: CanvasKitContext;
  card_creation_options?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The OpenAPI schema nests the shown canvas as `{ current_canvas: Canvas }` (probably a schema
 * artefact); real requests may carry the Canvas itself. Both shapes are accepted.
 */
export type CurrentCanvas =
  | (Partial<Canvas> & { current_canvas?: undefined })
  | { current_canvas: Partial<Canvas>; stored_data?: undefined };

export interface SubmitRequest extends InitializeRequest {
  component_id: string;
  /** keyed by component id: input/textarea → string, select/dropdown → option id */
  input_values?: Record<string, unknown>;
  current_canvas?: CurrentCanvas;
  user?: CanvasKitContact;
}

// Buttons that appear on more than one canvas.

import { componentIdFor } from './component-ids.ts';
import type { ButtonComponent } from './types.ts';

/** Re-renders the canvas from fresh data (also the "Try again" of error canvases). */
export function refreshButton(label = 'Refresh'): ButtonComponent {
  return { type: 'button', id: componentIdFor({ action: 'refresh' }), label, style: 'link', action: { type: 'submit' } };
}

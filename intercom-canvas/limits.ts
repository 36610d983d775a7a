// Intercom's size limits for a canvas: `content` and `stored_data` are each at most 64 KB
// serialized. Anything larger makes the inbox show "Something went wrong".

import type { Canvas, CanvasComponent, ListComponent } from './types.ts';

export const CANVAS_MAX_BYTES = 64 * 1024;

/**
 * Leads listed on the contact canvas. Intercom asks for a first inbox canvas of at most about
 * 400 px; header, table, link button and three list items fill that. The rest is counted and
 * linked to the console.
 */
export const CANVAS_LEADS_SHOWN = 3;

/** Campaign pickers (single-select, dropdown) accept 2 to 10 options. */
export const SELECT_MAX_OPTIONS = 10;

/** UTF-8 size of the JSON that will go over the wire. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

export function canvasFits(canvas: Canvas): boolean {
  return (
    jsonBytes(canvas.content) <= CANVAS_MAX_BYTES &&
    (canvas.stored_data === undefined || jsonBytes(canvas.stored_data) <= CANVAS_MAX_BYTES)
  );
}

/**
 * Last line of defence (the renderers clip every string, so this should never trigger):
 * drops list items from the end, then whole lists, until the canvas fits; drops stored_data
 * that is too big.
 */
export function shrinkToFit(canvas: Canvas): Canvas {
  let components: CanvasComponent[] = canvas.content.components;
  const fits = () => canvasFits({ ...canvas, content: { components } });
  while (!fits()) {
    const listIndex = components.findLastIndex((c) => c.type === 'list');
    if (listIndex < 0) break;
    const list = components[listIndex] as ListComponent;
    const next = list.items.length > 1 ? [{ ...list, items: list.items.slice(0, -1) }] : [];
    components = [...components.slice(0, listIndex), ...next, ...components.slice(listIndex + 1)];
  }
  if (!fits()) {
    components = [{ type: 'text', text: 'This contact has too much data to show here.', style: 'error' }];
  }
  const shrunk: Canvas = { ...canvas, content: { components } };
  // stored_data only carries ids; if those are absurdly long, the submit route treats the
  // canvas as unknown and re-renders it, which beats failing now.
  if (shrunk.stored_data !== undefined && jsonBytes(shrunk.stored_data) > CANVAS_MAX_BYTES) delete shrunk.stored_data;
  return shrunk;
}

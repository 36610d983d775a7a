import { describe, expect, it } from 'vitest';
import { initializeResponse, renderContactCanvas, submitResponse, validateCanvasResponse } from '../../intercom-canvas/index.ts';
import { STATES } from './fixtures.ts';

const button = (id: string, action: object = { type: 'submit' }) => ({ type: 'button', id, label: id, action });
const canvas = (...components: object[]) => ({ canvas: { content: { components } } });

describe('validateCanvasResponse', () => {
  it('accepts a plain canvas and a submit response with event', () => {
    expect(validateCanvasResponse('initialize', canvas({ type: 'text', text: 'hi' }, button('a')))).toEqual({ ok: true, errors: [] });
    expect(validateCanvasResponse('submit', { ...canvas({ type: 'divider' }), event: { type: 'completed' } }).ok).toBe(true);
  });

  it('rejects what the vendor schema rejects', () => {
    expect(validateCanvasResponse('initialize', {}).ok).toBe(false);
    expect(validateCanvasResponse('initialize', { canvas: {} }).ok).toBe(false);
    expect(validateCanvasResponse('initialize', canvas({ type: 'marquee', text: 'x' })).ok).toBe(false);
    expect(validateCanvasResponse('initialize', canvas({ type: 'button', label: 'no id', action: { type: 'submit' } })).ok).toBe(false);
    expect(validateCanvasResponse('submit', { ...canvas(), event: { type: 'done' } }).ok).toBe(false);
  });

  it('rejects sheet actions anywhere, and url actions without a web URL', () => {
    expect(validateCanvasResponse('initialize', canvas(button('a', { type: 'sheet', url: 'https://x.example' }))).errors).toContain('components[0] button: sheet actions are Messenger-only');
    const list = { type: 'list', items: [{ type: 'item', id: 'i', title: 't', action: { type: 'sheet', url: 'https://x.example' } }] };
    expect(validateCanvasResponse('initialize', canvas(list)).ok).toBe(false);
    expect(validateCanvasResponse('initialize', canvas(button('a', { type: 'url', url: 'javascript:alert(1)' }))).ok).toBe(false);
  });

  it('rejects duplicate ids across components and list items', () => {
    const list = { type: 'list', items: [{ type: 'item', id: 'a', title: 't', action: { type: 'submit' } }] };
    expect(validateCanvasResponse('initialize', canvas(button('a'), list)).errors).toContain('duplicate id "a" (components[1] list items[0])');
    expect(validateCanvasResponse('initialize', canvas(button('a'), button('a'))).ok).toBe(false);
  });

  it('rejects canvases over 64 KB, live canvases, image list items, bad option counts', () => {
    expect(validateCanvasResponse('initialize', canvas({ type: 'text', text: 'x'.repeat(70_000) })).errors[0]).toMatch(/^content is \d+ bytes/);
    expect(validateCanvasResponse('initialize', { canvas: { content: { components: [] }, stored_data: { blob: 'é'.repeat(40_000) } } }).errors[0]).toMatch(/^stored_data is/);
    expect(validateCanvasResponse('initialize', { canvas: { content: { components: [] }, content_url: 'https://x.example' } }).ok).toBe(false);
    const withImage = { type: 'list', items: [{ type: 'item', id: 'i', title: 't', image: 'https://x.example/a.png', image_width: 10, image_height: 10 }] };
    expect(validateCanvasResponse('initialize', canvas(withImage)).ok).toBe(false);
    const one = { type: 'single-select', id: 's', options: [{ type: 'option', id: 'o', text: 'O' }] };
    expect(validateCanvasResponse('initialize', canvas(one)).errors).toContain('components[0] single-select: 1 options (Intercom takes 2 to 10)');
    const badValue = { type: 'dropdown', id: 'd', value: 'z', options: [{ type: 'option', id: 'o', text: 'O' }, { type: 'option', id: 'o', text: 'P' }] };
    expect(validateCanvasResponse('initialize', canvas(badValue)).errors).toEqual([
      'components[0] dropdown: duplicate option ids',
      'components[0] dropdown: value is not one of the options',
    ]);
  });
});

describe('response builders', () => {
  it('initializeResponse and submitResponse produce valid bodies', () => {
    const canvas = renderContactCanvas(STATES['referrer with leads']);
    expect(validateCanvasResponse('initialize', initializeResponse(canvas)).ok).toBe(true);
    expect(submitResponse(canvas)).toEqual({ canvas });
    expect(submitResponse(canvas, { completed: true })).toEqual({ canvas, event: { type: 'completed' } });
    expect(validateCanvasResponse('submit', submitResponse(canvas, { completed: true })).ok).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import {
  parseStoredData,
  renderErrorCanvas,
  renderUnqualifyPrompt,
  validateCanvasResponse,
  type ButtonComponent,
  type CanvasErrorKind,
  type TextComponent,
} from '../../intercom-canvas/index.ts';
import { STATES } from './fixtures.ts';

const KINDS: CanvasErrorKind[] = ['unknown_contact', 'no_email', 'disconnected', 'no_campaign', 'not_installed', 'error'];

describe('renderUnqualifyPrompt', () => {
  it('asks for an optional reason, with confirm and cancel', () => {
    const canvas = renderUnqualifyPrompt(STATES['referrer with leads'], 'par_lead_2');
    expect(validateCanvasResponse('submit', { canvas }).errors).toEqual([]);
    const [, question, reason, confirm, cancel] = canvas.content.components;
    expect((question as TextComponent).text).toBe('Mark **Lead 2** as unqualified?');
    expect(reason).toMatchObject({ type: 'textarea', id: 'reason' });
    expect(confirm).toMatchObject({ type: 'button', id: 'confirm_unqualify:par_lead_2', action: { type: 'submit' } });
    expect(cancel).toMatchObject({ type: 'button', id: 'cancel', action: { type: 'submit' } });
    expect(parseStoredData(canvas.stored_data)).toEqual({ contactId: 'ic_contact_1', campaignId: 'cmp_1', participantId: 'par_self' });
  });

  it('names the contact itself when it is the lead, escapes hostile names, copes with unknown ids', () => {
    const self = renderUnqualifyPrompt(STATES['lead pending'], 'par_self');
    expect((self.content.components[1] as TextComponent).text).toBe('Mark **Jane Doe** as unqualified?');
    const hostile = renderUnqualifyPrompt(STATES['hostile names'], 'par_lead_1');
    expect((hostile.content.components[1] as TextComponent).text).toBe('Mark **\\[x\\](javascript:alert(1))** as unqualified?');
    expect(validateCanvasResponse('submit', { canvas: hostile }).ok).toBe(true);
    const unknown = renderUnqualifyPrompt(STATES['not enrolled'], 'nope');
    expect((unknown.content.components[1] as TextComponent).text).toBe('Mark this lead as unqualified?');
  });
});

describe('renderErrorCanvas', () => {
  it.each(KINDS)('%s is a valid canvas with a clear text and a refresh button', (kind) => {
    const canvas = renderErrorCanvas({ kind });
    for (const k of ['initialize', 'submit'] as const) expect(validateCanvasResponse(k, { canvas }).errors).toEqual([]);
    const [header, text] = canvas.content.components as TextComponent[];
    expect(header.style).toBe('header');
    expect(text.text.length).toBeGreaterThan(10);
    expect(canvas.content.components.at(-1)).toMatchObject({ type: 'button', id: 'refresh' });
    expect(canvas.stored_data).toBeUndefined();
  });

  it('errors are styled as errors, the rest muted', () => {
    expect((renderErrorCanvas({ kind: 'error' }).content.components[1] as TextComponent).style).toBe('error');
    expect((renderErrorCanvas({ kind: 'disconnected' }).content.components[1] as TextComponent).style).toBe('error');
    expect((renderErrorCanvas({ kind: 'no_email' }).content.components[1] as TextComponent).style).toBe('muted');
  });

  it('adds an escaped detail, a console button where useful, and stored_data when given', () => {
    const canvas = renderErrorCanvas(
      { kind: 'disconnected', message: 'token [revoked](https://x.example)', consoleUrl: 'https://app.refcard.example/admin' },
      { contactId: 'c1', campaignId: null },
    );
    expect(validateCanvasResponse('initialize', { canvas }).errors).toEqual([]);
    expect((canvas.content.components[2] as TextComponent).text).toBe('token \\[revoked\\](https\u2060://x.example)');
    expect((canvas.content.components[3] as ButtonComponent).action).toEqual({ type: 'url', url: 'https://app.refcard.example/admin' });
    expect(canvas.stored_data).toEqual({ contactId: 'c1', campaignId: null });
    // no console button for kinds the console cannot fix, or for non-web URLs
    expect(renderErrorCanvas({ kind: 'no_email', consoleUrl: 'https://app.refcard.example' }).content.components.map((c) => c.type)).toEqual(['text', 'text', 'button']);
    expect(renderErrorCanvas({ kind: 'no_campaign', consoleUrl: 'javascript:x' }).content.components).toHaveLength(3);
  });

  it('an unknown kind (a caller bug) still renders the generic error', () => {
    const canvas = renderErrorCanvas({ kind: 'nope' as CanvasErrorKind });
    expect(validateCanvasResponse('initialize', { canvas }).ok).toBe(true);
  });
});

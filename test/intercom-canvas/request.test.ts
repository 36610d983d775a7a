import { describe, expect, it } from 'vitest';
import { requestContact, requestStoredData, resolveSubmit, type SubmitRequest } from '../../intercom-canvas/index.ts';

const stored = { contactId: 'ic_1', campaignId: 'cmp_1', participantId: 'par_self' };
const submit = (component_id: string, over: Partial<SubmitRequest> = {}): SubmitRequest => ({
  workspace_id: 'ws1',
  workspace_region: 'US',
  component_id,
  contact: { type: 'contact', id: 'ic_1', email: 'jane@example.com' },
  current_canvas: { content: { components: [] }, stored_data: stored },
  input_values: {},
  ...over,
});

describe('reading Canvas Kit requests', () => {
  it('reads the contact from contact or customer', () => {
    expect(requestContact({ workspace_id: 'w', contact: { id: 'a' } })?.id).toBe('a');
    expect(requestContact({ workspace_id: 'w', customer: { id: 'b' } })?.id).toBe('b');
    expect(requestContact({ workspace_id: 'w', contact: { id: 'a' }, customer: { id: 'b' } })?.id).toBe('a');
    expect(requestContact({ workspace_id: 'w' })).toBeNull();
    expect(requestContact({ workspace_id: 'w', contact: { id: '' } })).toBeNull();
  });

  it('reads stored_data from either nesting and rejects foreign shapes', () => {
    expect(requestStoredData(submit('refresh'))).toEqual(stored);
    expect(requestStoredData(submit('refresh', { current_canvas: { current_canvas: { content: { components: [] }, stored_data: stored } } }))).toEqual(stored);
    expect(requestStoredData(submit('refresh', { current_canvas: undefined }))).toBeNull();
    expect(requestStoredData(submit('refresh', { current_canvas: { stored_data: { contactId: 5 } } }))).toBeNull();
    expect(requestStoredData(submit('refresh', { current_canvas: { stored_data: { contactId: 'x', campaignId: null, participantId: 7 } } }))).toBeNull();
  });
});

describe('resolveSubmit', () => {
  it('qualify / enrol / refresh use the campaign from stored_data', () => {
    expect(resolveSubmit(submit('qualify:par_9'))).toEqual({ kind: 'action', contactId: 'ic_1', action: { action: 'qualify', campaignId: 'cmp_1', participantId: 'par_9' } });
    expect(resolveSubmit(submit('enrol'))).toEqual({ kind: 'action', contactId: 'ic_1', action: { action: 'enrol', campaignId: 'cmp_1' } });
    expect(resolveSubmit(submit('refresh'))).toEqual({ kind: 'action', contactId: 'ic_1', action: { action: 'refresh', campaignId: 'cmp_1' } });
  });

  it('unqualify goes through the prompt; confirm carries the cleaned reason', () => {
    expect(resolveSubmit(submit('unqualify:par_9'))).toEqual({ kind: 'unqualify_prompt', contactId: 'ic_1', campaignId: 'cmp_1', participantId: 'par_9' });
    expect(resolveSubmit(submit('confirm_unqualify:par_9', { input_values: { reason: '  duplicate\nlead ' } }))).toEqual({
      kind: 'action', contactId: 'ic_1', action: { action: 'unqualify', campaignId: 'cmp_1', participantId: 'par_9', reason: 'duplicate lead' },
    });
    const noReason = resolveSubmit(submit('confirm_unqualify:par_9', { input_values: { reason: '   ' } }));
    expect(noReason).toEqual({ kind: 'action', contactId: 'ic_1', action: { action: 'unqualify', campaignId: 'cmp_1', participantId: 'par_9' } });
  });

  it('campaign picker reads the chosen option; cancel goes back', () => {
    expect(resolveSubmit(submit('campaign', { input_values: { campaign: 'cmp_2' } }))).toEqual({ kind: 'action', contactId: 'ic_1', action: { action: 'select_campaign', campaignId: 'cmp_2' } });
    expect(resolveSubmit(submit('campaign')).kind).toBe('invalid');
    expect(resolveSubmit(submit('cancel'))).toEqual({ kind: 'cancel', contactId: 'ic_1', campaignId: 'cmp_1' });
  });

  it('falls back to stored contact when the request has none; refuses what it cannot trust', () => {
    expect(resolveSubmit(submit('enrol', { contact: undefined }))).toMatchObject({ kind: 'action', contactId: 'ic_1' });
    expect(resolveSubmit(submit('enrol', { contact: undefined, current_canvas: undefined }))).toEqual({ kind: 'invalid', contactId: null, reason: 'no contact in the request' });
    expect(resolveSubmit(submit('open_link')).kind).toBe('invalid');
    expect(resolveSubmit(submit('qualify:p', { contact: { id: 'someone_else' } }))).toMatchObject({ kind: 'invalid', reason: 'canvas belongs to another contact' });
    expect(resolveSubmit(submit('qualify:p', { current_canvas: undefined }))).toMatchObject({ kind: 'invalid', reason: 'no campaign on the canvas' });
    expect(resolveSubmit(submit('refresh', { current_canvas: undefined }))).toEqual({ kind: 'action', contactId: 'ic_1', action: { action: 'refresh' } });
  });
});

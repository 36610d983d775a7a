// The response bodies the initialize and submit routes answer with.
import type { Canvas, InitializeResponse, SubmitResponse } from './types.ts';

export function initializeResponse(canvas: Canvas): InitializeResponse {
  return { canvas };
}

/**
 * `completed` tells Intercom the app finished its job (e.g. the lead is qualified); Intercom
 * accepts no other event type.
 */
export function submitResponse(canvas: Canvas, options: { completed?: boolean } = {}): SubmitResponse {
  return options.completed ? { canvas, event: { type: 'completed' } } : { canvas };
}

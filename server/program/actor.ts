import type { Source } from '../../shared/qualification.ts';

/** Who made a change and through what; recorded on every audit event. */
export interface Actor {
  type: 'api_key' | 'user' | 'crm' | 'system' | 'public';
  id?: string | null;
  label?: string | null;
  source: Source;
}

export const systemActor = (source: Source = 'system'): Actor => ({ type: 'system', source, label: 'Refcard' });

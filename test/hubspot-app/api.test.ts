import { afterEach, describe, expect, it, vi } from 'vitest';
import { hubspot } from '@hubspot/ui-extensions';
import { loadContactView, loadSettings, RefcardApiError, sendCardAction } from '../../hubspot-app/src/app/cards/lib/api.ts';
import { API_BASE } from '../../hubspot-app/src/app/cards/lib/config.ts';
import { STATES } from '../intercom-canvas/fixtures.ts';
import { fakeServer, json, problem } from './support.ts';

afterEach(() => vi.restoreAllMocks());

describe('hubspot-app api', () => {
  it('GETs the card view, with the campaign only when given', async () => {
    const { spy } = fakeServer(() => json(STATES['referrer with leads']));
    await expect(loadContactView('777')).resolves.toEqual(STATES['referrer with leads']);
    await loadContactView('777', 'cmp 2&x');
    expect(spy.mock.calls[0]).toEqual([`${API_BASE}/hubspot/card?contactId=777`, { method: 'GET', timeout: 15_000 }]);
    expect(spy.mock.calls[1][0]).toBe('https://app.refcard.example/hubspot/card?contactId=777&campaignId=cmp+2%26x');
  });

  it('POSTs actions as { contactId, ...action } and answers the new view', async () => {
    const { spy } = fakeServer(() => json(STATES['lead qualified']));
    const view = await sendCardAction('777', { action: 'qualify', campaignId: 'cmp_1', participantId: 'par_self', reason: 'big deal' });
    expect(view).toEqual(STATES['lead qualified']);
    expect(spy).toHaveBeenCalledWith('https://app.refcard.example/hubspot/card/actions', {
      method: 'POST',
      timeout: 15_000,
      body: { contactId: '777', action: 'qualify', campaignId: 'cmp_1', participantId: 'par_self', reason: 'big deal' },
    });
  });

  it('GETs the settings', async () => {
    const { spy } = fakeServer(() => json({ consoleUrl: 'x' }));
    await loadSettings();
    expect(spy.mock.calls[0][0]).toBe('https://app.refcard.example/hubspot/settings');
  });

  it('turns problem+json into an Error with detail, else title, else the status', async () => {
    fakeServer(() => problem(409, { title: 'Conflict', detail: 'Lead was erased' }));
    await expect(loadContactView('1')).rejects.toMatchObject({ name: 'RefcardApiError', message: 'Lead was erased', status: 409 });
    vi.restoreAllMocks();
    fakeServer(() => problem(401, { title: 'Invalid signature' }));
    await expect(loadSettings()).rejects.toThrow('Invalid signature');
    vi.restoreAllMocks();
    fakeServer(() => new Response('<html>bad gateway</html>', { status: 502 }));
    await expect(loadSettings()).rejects.toThrow('Refcard answered with an error (HTTP 502).');
  });

  it('reports unreachable servers and unreadable answers', async () => {
    vi.spyOn(hubspot, 'fetch').mockRejectedValue(new TypeError('timeout'));
    const error = await loadSettings().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefcardApiError);
    expect(error).toMatchObject({ status: 0, message: 'Refcard could not be reached. Try again in a moment.' });
    vi.restoreAllMocks();
    fakeServer(() => new Response('not json', { status: 200 }));
    await expect(loadSettings()).rejects.toThrow('Refcard sent an answer the card could not read.');
  });
});

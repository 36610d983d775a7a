import { afterEach, describe, expect, it, vi } from 'vitest';
import { Alert, Button, EmptyState, ErrorState, LoadingSpinner, ProgressBar, StatusTag, Table, TableRow, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { SettingsPage } from '../../hubspot-app/src/app/settings/SettingsPage.tsx';
import type { SettingsView } from '../../shared/view-model.ts';
import { deferred, fakeServer, json, problem, textOf } from './support.ts';

afterEach(() => vi.restoreAllMocks());

const SETTINGS: SettingsView = {
  account: { id: 'acc_1', name: 'Acme' },
  connection: { portalId: 123456, status: 'connected', reason: null, lastWebhookAt: '2026-03-02T09:30:00.000Z' },
  campaigns: [
    { id: 'cmp_1', name: 'Spring referrals', status: 'active', referrers: 1200, leads: 85, qualified: 31 },
    { id: 'cmp_2', name: 'Partners', status: 'paused', referrers: 40, leads: 3, qualified: 0 },
  ],
  syncs: [
    { id: 'sync_1', campaignId: 'cmp_1', source: 'HubSpot list "Customers"', mode: 'once', state: 'running', done: 4000, total: 10000, failed: 2 },
    { id: 'sync_2', campaignId: 'cmp_2', source: 'All contacts', mode: 'ongoing', state: 'counting', done: 120, total: null, failed: 0 },
  ],
  consoleUrl: 'https://app.refcard.example/admin',
};

function renderSettings(settings: SettingsView | (() => Response | Promise<Response>)) {
  const server = fakeServer(typeof settings === 'function' ? settings : () => json(settings));
  const r = createRenderer('settings');
  r.render(<SettingsPage context={r.mocks.context} actions={r.mocks.actions} />);
  return { ...r, ...server };
}

describe('SettingsPage', () => {
  it('loads /hubspot/settings and shows the connection, campaigns with counts, sync progress and the console', async () => {
    const r = renderSettings(SETTINGS);
    expect(r.find(LoadingSpinner)).toBeTruthy();
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'connection-status').text).toBe('Connected'));
    expect(r.calls[0].url.href).toBe('https://app.refcard.example/hubspot/settings');
    expect(textOf(r.getRootNode())).toContain('HubSpot account 123456 → Refcard account Acme');
    expect(r.findByTestId(Text, 'last-webhook').text).toBe('Last update from HubSpot: 2026-03-02 09:30 UTC');
    expect(r.maybeFindByTestId(Alert, 'disconnected')).toBeNull();

    const rows = r.findByTestId(Table, 'campaigns-table').findAll(TableRow);
    expect(rows.map(textOf)).toEqual([
      'Campaign Status Referrers Leads Qualified',
      'Spring referrals active 1200 85 31',
      'Partners paused 40 3 0',
    ]);

    const progress = r.find(ProgressBar);
    expect(progress.props).toMatchObject({ value: 4000, maxValue: 10000, title: '4000 of 10000 contacts', variant: 'warning' });
    expect(r.maybeFindByTestId(Text, 'no-syncs')).toBeNull();
    expect(textOf(r.getRootNode())).toContain('2 could not be imported');
    expect(textOf(r.getRootNode())).toContain('All contacts into Partners (ongoing) · counting');
    expect(textOf(r.getRootNode())).toContain('120 contacts imported');
    expect(r.findByTestId(Button, 'open-console').props.href).toEqual({ url: 'https://app.refcard.example/admin', external: true });
  });

  it('disconnected: says why and how to fix it', async () => {
    const r = renderSettings({ ...SETTINGS, connection: { ...SETTINGS.connection, status: 'disconnected', reason: 'The app was uninstalled.', lastWebhookAt: null } });
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'connection-status').text).toBe('Disconnected'));
    expect(textOf(r.findByTestId(Alert, 'disconnected'))).toContain('The app was uninstalled.');
    expect(r.findByTestId(Text, 'last-webhook').text).toBe('No updates from HubSpot received yet.');
  });

  it('no campaigns and no syncs yet', async () => {
    const r = renderSettings({ ...SETTINGS, campaigns: [], syncs: [] });
    await r.waitFor(() => expect(r.findByTestId(EmptyState, 'no-campaigns')).toBeTruthy());
    expect(r.findByTestId(Text, 'no-syncs')).toBeTruthy();
    expect(r.maybeFind(ProgressBar)).toBeNull();
  });

  it('an error shows the server’s message and Retry loads again', async () => {
    let attempt = 0;
    const r = renderSettings(() => (++attempt === 1 ? problem(401, { title: 'Unauthorized', detail: 'Unknown HubSpot portal' }) : json(SETTINGS)));
    await r.waitFor(() => expect(textOf(r.find(ErrorState))).toContain('Unknown HubSpot portal'));
    r.findByTestId(Button, 'retry').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'connection-status')).toBeTruthy());
    expect(r.calls).toHaveLength(2);
  });

  it('keeps showing the spinner while the server is slow', async () => {
    const slow = deferred<Response>();
    const r = renderSettings(() => slow.promise);
    await vi.waitFor(() => expect(r.spy).toHaveBeenCalledOnce());
    expect(r.find(LoadingSpinner)).toBeTruthy();
    slow.resolve(json(SETTINGS));
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());
  });
});

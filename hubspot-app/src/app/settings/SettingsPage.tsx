// Entry point of the app's settings page (Marketplace → Connected apps → Refcard → Settings):
// is the portal connected, which campaigns run, how far the imports got, and the way to the
// Refcard console where campaigns are managed.
import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  hubspot,
  LoadingSpinner,
  ProgressBar,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  type ExtensionPointApiActions,
  type SettingsContext,
} from '@hubspot/ui-extensions';
import { loadSettings } from './lib/api.ts';
import type { SettingsView } from './lib/types.ts';

hubspot.extend<'settings'>(({ context, actions }) => <SettingsPage context={context} actions={actions} />);

export interface SettingsPageProps {
  context: SettingsContext;
  actions: Pick<ExtensionPointApiActions<'settings'>, 'addAlert'>;
}

type PageState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; settings: SettingsView };

const CAMPAIGN_VARIANT = { active: 'success', paused: 'warning', archived: 'default' } as const;

export function SettingsPage(_props: SettingsPageProps) {
  const [state, setState] = useState<PageState>({ status: 'loading' });
  const load = useCallback(async () => {
    setState({ status: 'loading' });
    try {
      setState({ status: 'ready', settings: await loadSettings() });
    } catch (error) {
      setState({ status: 'error', message: error instanceof Error ? error.message : 'Something went wrong.' });
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  if (state.status === 'loading') return <LoadingSpinner label="Loading Refcard settings…" layout="centered" />;
  if (state.status === 'error') {
    return (
      <ErrorState title="Couldn’t load Refcard settings">
        <Text>{state.message}</Text>
        <Button testId="retry" onClick={() => void load()}>
          Retry
        </Button>
      </ErrorState>
    );
  }
  const { settings } = state;
  return (
    <Flex direction="column" gap="lg">
      <Connection settings={settings} />
      <Campaigns settings={settings} />
      <Syncs settings={settings} />
      <Button testId="open-console" variant="primary" href={{ url: settings.consoleUrl, external: true }}>
        Open the Refcard console
      </Button>
    </Flex>
  );
}

function Connection({ settings }: { settings: SettingsView }) {
  const { connection, account } = settings;
  const connected = connection.status === 'connected';
  return (
    <Flex direction="column" gap="xs" testId="connection">
      <Heading>Connection</Heading>
      <Flex direction="row" gap="sm" align="center">
        <StatusTag variant={connected ? 'success' : 'danger'} testId="connection-status">
          {connected ? 'Connected' : 'Disconnected'}
        </StatusTag>
        <Text inline>
          HubSpot account {connection.portalId} → Refcard account {account.name}
        </Text>
      </Flex>
      {connected ? null : (
        <Alert title="Refcard can’t reach this HubSpot account" variant="danger" testId="disconnected">
          {connection.reason ?? 'The connection was revoked.'} Reinstall the app or reconnect it from the Refcard console.
        </Alert>
      )}
      <Text variant="microcopy" testId="last-webhook">
        {connection.lastWebhookAt ? `Last update from HubSpot: ${formatStamp(connection.lastWebhookAt)}` : 'No updates from HubSpot received yet.'}
      </Text>
    </Flex>
  );
}

function Campaigns({ settings }: { settings: SettingsView }) {
  if (settings.campaigns.length === 0) {
    return (
      <EmptyState title="No campaigns yet" layout="vertical" imageName="target" testId="no-campaigns">
        <Text>Create a referral campaign in the Refcard console; contacts then get their links on the Referrals card.</Text>
      </EmptyState>
    );
  }
  return (
    <Flex direction="column" gap="xs">
      <Heading>Campaigns</Heading>
      <Table bordered flush density="condensed" testId="campaigns-table">
        <TableHead>
          <TableRow>
            <TableHeader>Campaign</TableHeader>
            <TableHeader>Status</TableHeader>
            <TableHeader align="right">Referrers</TableHeader>
            <TableHeader align="right">Leads</TableHeader>
            <TableHeader align="right">Qualified</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {settings.campaigns.map((c) => (
            <TableRow key={c.id}>
              <TableCell>{c.name}</TableCell>
              <TableCell>
                <StatusTag variant={CAMPAIGN_VARIANT[c.status]}>{c.status}</StatusTag>
              </TableCell>
              <TableCell align="right">{c.referrers}</TableCell>
              <TableCell align="right">{c.leads}</TableCell>
              <TableCell align="right">{c.qualified}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Flex>
  );
}

function Syncs({ settings }: { settings: SettingsView }) {
  const campaignName = (id: string) => settings.campaigns.find((c) => c.id === id)?.name ?? 'a campaign';
  return (
    <Flex direction="column" gap="xs" testId="syncs">
      <Heading>Contact imports</Heading>
      {settings.syncs.length === 0 ? <Text testId="no-syncs">No imports yet. Start one from the Refcard console.</Text> : null}
      {settings.syncs.map((sync) => (
        <Flex key={sync.id} direction="column" gap="xs" testId={`sync-${sync.id}`}>
          <Text>
            {sync.source} into {campaignName(sync.campaignId)} ({sync.mode === 'ongoing' ? 'ongoing' : 'one-time'}) · {sync.state}
          </Text>
          {sync.total !== null && sync.total > 0 ? (
            <ProgressBar
              title={`${sync.done} of ${sync.total} contacts`}
              value={Math.min(sync.done, sync.total)}
              maxValue={sync.total}
              showPercentage
              variant={sync.failed > 0 ? 'warning' : 'success'}
            />
          ) : (
            <Text variant="microcopy">{`${sync.done} contacts imported`}</Text>
          )}
          {sync.failed > 0 ? <Text variant="microcopy">{`${sync.failed} could not be imported`}</Text> : null}
        </Flex>
      ))}
    </Flex>
  );
}

/** "2026-03-01 10:00 UTC": the settings page has no user locale to format with reliably. */
function formatStamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

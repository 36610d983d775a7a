// The entry files only call hubspot.extend; check each hands HubSpot's context and actions to
// the right component (extend itself is a no-op outside HubSpot's worker).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReactElement } from 'react';
import { hubspot } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { ReferralCard } from '../../hubspot-app/src/app/cards/components/ReferralCard.tsx';
import { ReferralSidebarCard } from '../../hubspot-app/src/app/cards/components/ReferralSidebarCard.tsx';
import { SettingsPage } from '../../hubspot-app/src/app/settings/SettingsPage.tsx';

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

async function extendedBy(entry: string) {
  const extend = vi.spyOn(hubspot, 'extend');
  vi.resetModules(); // re-run the entry file so its extend() call hits this spy
  await import(/* @vite-ignore */ entry);
  expect(extend).toHaveBeenCalledOnce();
  return extend.mock.calls[0][0] as (api: unknown) => ReactElement<{ context: unknown; actions: unknown }>;
}

describe('entry points', () => {
  it.each([
    ['../../hubspot-app/src/app/cards/ReferralTab.tsx', 'crm.record.tab', ReferralCard],
    ['../../hubspot-app/src/app/cards/ReferralSidebar.tsx', 'crm.record.sidebar', ReferralSidebarCard],
    ['../../hubspot-app/src/app/settings/SettingsPage.tsx', 'settings', SettingsPage],
  ] as const)('%s renders its component with the host’s context and actions', async (entry, location, component) => {
    const render = await extendedBy(entry);
    const { mocks } = createRenderer(location);
    const element = render({ context: mocks.context, actions: mocks.actions, runServerlessFunction: mocks.runServerlessFunction });
    // a fresh module instance (resetModules), so the same function by name
    expect((element.type as { name: string }).name).toBe(component.name);
    expect(element.props.context).toBe(mocks.context);
    expect(element.props.actions).toBe(mocks.actions);
  });
});

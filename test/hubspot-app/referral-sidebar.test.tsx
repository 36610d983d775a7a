import { afterEach, describe, expect, it, vi } from 'vitest';
import { Button, EmptyState, ErrorState, Link, StatisticsItem, StatusTag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { ReferralSidebarCard } from '../../hubspot-app/src/app/cards/components/ReferralSidebarCard.tsx';
import type { ContactView } from '../../shared/view-model.ts';
import { enrolment, STATES, view } from '../intercom-canvas/fixtures.ts';
import { fakeServer, json, problem, textOf } from './support.ts';

afterEach(() => vi.restoreAllMocks());

function renderSidebar(initial: ContactView, onAction = () => json(view({ enrolment: enrolment() }))) {
  const server = fakeServer((call) => (call.method === 'POST' ? onAction() : json(initial)));
  const r = createRenderer('crm.record.sidebar');
  r.mocks.context.crm.objectId = 42;
  r.render(<ReferralSidebarCard context={r.mocks.context} actions={r.mocks.actions} />);
  return { ...r, ...server };
}

describe('ReferralSidebarCard (compact)', () => {
  it('referrer: three numbers, the link, Copy, and a button to the full view', async () => {
    const r = renderSidebar(STATES['referrer with leads']);
    await r.waitFor(() => expect(r.findByTestId(Link, 'referral-link').text).toBe('https://app.refcard.example/r/JANE42'));
    expect(r.calls[0].url.href).toBe('https://app.refcard.example/hubspot/card?contactId=42');
    expect(r.findAll(StatisticsItem).map((s) => s.props.label)).toEqual(['Referrals', 'Qualified', 'Rewards']);
    expect(r.findByTestId(Button, 'open-full-view').props.href).toEqual({ url: STATES['referrer with leads'].consoleUrl, external: true });
    expect(r.maybeFindByTestId(Button, 'qualify-par_lead_1')).toBeNull(); // actions live on the tab
    r.findByTestId(Button, 'copy-link').trigger('onClick');
    await vi.waitFor(() => expect(r.mocks.actions.addAlert.calls).toEqual([[{ type: 'success', message: 'Referral link copied.' }]]));
    expect(r.mocks.actions.copyTextToClipboard.calls).toEqual([['https://app.refcard.example/r/JANE42']]);
  });

  it('lead: shows the lead status tag', async () => {
    const r = renderSidebar(STATES['referrer and lead']);
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'lead-status-tag').text).toBe('Pending'));
  });

  it('not enrolled: Enrol posts and shows the link', async () => {
    const r = renderSidebar(STATES['not enrolled']);
    await r.waitFor(() => expect(r.findByTestId(Text, 'not-enrolled').text).toBe('Not in Spring referrals yet.'));
    r.findByTestId(Button, 'enrol').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Link, 'referral-link')).toBeTruthy());
    expect(r.calls[1].body).toEqual({ contactId: '42', action: 'enrol', campaignId: 'cmp_1' });
    await vi.waitFor(() => expect(r.mocks.actions.refreshObjectProperties.called).toBe(true));
    expect(r.mocks.actions.addAlert.calls[0]).toEqual([{ type: 'success', message: 'Enrolled: the referral link is ready.' }]);
  });

  it('no email, no campaign, and errors with Retry', async () => {
    const noEmail = renderSidebar(STATES['not enrolled, no email']);
    await noEmail.waitFor(() => expect(noEmail.findByTestId(Text, 'no-email')).toBeTruthy());
    expect(noEmail.maybeFindByTestId(Button, 'enrol')).toBeNull();
    vi.restoreAllMocks();

    const none = renderSidebar(STATES['no campaign']);
    await none.waitFor(() => expect(none.findByTestId(EmptyState, 'no-campaign')).toBeTruthy());
    vi.restoreAllMocks();

    let attempt = 0;
    fakeServer(() => (++attempt === 1 ? problem(500, { title: 'Internal error' }) : json(STATES['referrer without leads'])));
    const r = createRenderer('crm.record.sidebar');
    r.render(<ReferralSidebarCard context={r.mocks.context} actions={r.mocks.actions} />);
    await r.waitFor(() => expect(textOf(r.find(ErrorState))).toContain('Internal error'));
    r.findByTestId(Button, 'retry').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Link, 'referral-link')).toBeTruthy());
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Link,
  LoadingSpinner,
  Select,
  StatisticsItem,
  StatusTag,
  Table,
  TableRow,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { ReferralCard } from '../../hubspot-app/src/app/cards/components/ReferralCard.tsx';
import type { ContactView } from '../../shared/view-model.ts';
import { enrolment, lead, OTHER_CAMPAIGN, STATES, view } from '../intercom-canvas/fixtures.ts';
import { change, deferred, fakeServer, json, problem, textOf, type FetchCall } from './support.ts';

afterEach(() => vi.restoreAllMocks());

const CARD_URL = 'https://app.refcard.example/hubspot/card';
const ACTIONS_URL = 'https://app.refcard.example/hubspot/card/actions';

/** Renders the tab card for contact 777 against a fake server. */
function renderCard(initial: ContactView, onAction?: (call: FetchCall) => Response | Promise<Response>) {
  const server = fakeServer((call) => {
    if (call.method === 'POST') return onAction ? onAction(call) : problem(500);
    return json(initial);
  });
  const r = createRenderer('crm.record.tab');
  r.mocks.context.crm.objectId = 777;
  r.render(<ReferralCard context={r.mocks.context} actions={r.mocks.actions} />);
  return { ...r, ...server };
}

const stat = (r: ReturnType<typeof renderCard>, label: string) => r.find(StatisticsItem, { label }).props.number;

describe('ReferralCard', () => {
  it('shows a spinner while loading', async () => {
    const pending = deferred<Response>();
    const { spy } = fakeServer(() => pending.promise);
    const r = createRenderer('crm.record.tab');
    r.render(<ReferralCard context={r.mocks.context} actions={r.mocks.actions} />);
    expect(r.find(LoadingSpinner).props.label).toBe('Loading referrals…');
    // React runs the loading effect after this test's synchronous part; let it hit this test's spy
    await vi.waitFor(() => expect(spy).toHaveBeenCalledOnce());
    expect(spy.mock.calls[0][0]).toBe(`${CARD_URL}?contactId=123`);
  });

  it('asks for the contact in context, then shows an error with Retry that loads again', async () => {
    let attempt = 0;
    const { calls } = fakeServer(() => (++attempt === 1 ? problem(503, { detail: 'Database unavailable' }) : json(STATES['referrer with leads'])));
    const r = createRenderer('crm.record.tab');
    r.mocks.context.crm.objectId = 777;
    r.render(<ReferralCard context={r.mocks.context} actions={r.mocks.actions} />);
    await r.waitFor(() => expect(textOf(r.find(ErrorState))).toContain('Database unavailable'));
    expect(calls[0].url.href).toBe(`${CARD_URL}?contactId=777`);
    expect(calls[0].method).toBe('GET');
    r.findByTestId(Button, 'retry').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Link, 'referral-link').props.href).toEqual({ url: 'https://app.refcard.example/r/JANE42', external: true }));
    expect(calls).toHaveLength(2);
  });

  it('no campaign: empty state with a link to the console', async () => {
    const r = renderCard(STATES['no campaign']);
    await r.waitFor(() => expect(r.findByTestId(EmptyState, 'no-campaign')).toBeTruthy());
    expect(r.findByTestId(Link, 'open-console').props.href).toEqual({ url: STATES['no campaign'].consoleUrl, external: true });
  });

  it('contact without email: explains, offers no Enrol', async () => {
    const r = renderCard(STATES['not enrolled, no email']);
    await r.waitFor(() => expect(r.findByTestId(EmptyState, 'no-email')).toBeTruthy());
    expect(r.maybeFindByTestId(Button, 'enrol')).toBeNull();
  });

  it('not enrolled: Enrol posts, shows the link at once, alerts and refreshes properties', async () => {
    const enrolled = view({ enrolment: enrolment() });
    const r = renderCard(STATES['not enrolled'], () => json(enrolled));
    await r.waitFor(() => expect(textOf(r.findByTestId(EmptyState, 'not-enrolled'))).toContain('Enrol Jane Doe as a referrer in Spring referrals'));
    r.findByTestId(Button, 'enrol').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Link, 'referral-link').text).toBe('https://app.refcard.example/r/JANE42'));
    expect(r.calls[1]).toEqual({ url: new URL(ACTIONS_URL), method: 'POST', body: { contactId: '777', action: 'enrol', campaignId: 'cmp_1' } });
    await vi.waitFor(() => expect(r.mocks.actions.refreshObjectProperties.called).toBe(true));
    expect(r.mocks.actions.addAlert.calls).toEqual([[{ type: 'success', message: 'Enrolled: the referral link is ready.' }]]);
    expect(r.maybeFindByTestId(Table, 'leads-table')).toBeNull(); // no leads yet
    expect(textOf(r.getRootNode())).toContain('No referrals yet');
  });

  it('referrer: link, Copy, stats and a row per lead with the right button', async () => {
    const r = renderCard(STATES['referrer with leads']);
    await r.waitFor(() => expect(r.findByTestId(Link, 'referral-link')).toBeTruthy());
    expect(stat(r, 'Referrals')).toBe(3);
    expect(stat(r, 'Qualified')).toBe(1);
    expect(stat(r, 'Pending')).toBe(1);
    expect(stat(r, 'Rewards')).toBe('$50 (1 rewards)');
    const rows = r.findByTestId(Table, 'leads-table').findAll(TableRow);
    expect(rows).toHaveLength(4); // header + 3 leads
    expect(textOf(rows[1])).toContain('Lead 1');
    expect(rows[1].find(StatusTag).text).toBe('Pending');
    expect(r.findByTestId(Button, 'qualify-par_lead_1')).toBeTruthy();
    expect(r.findByTestId(Button, 'unqualify-par_lead_2')).toBeTruthy();
    expect(r.findByTestId(Button, 'qualify-par_lead_3')).toBeTruthy();
    expect(r.maybeFindByTestId(Button, 'qualify-par_lead_2')).toBeNull();
    expect(r.maybeFind(Select)).toBeNull(); // one campaign: no picker
    expect(r.maybeFind(Alert)).toBeNull();

    r.findByTestId(Button, 'copy-link').trigger('onClick');
    await vi.waitFor(() => expect(r.mocks.actions.addAlert.called).toBe(true));
    expect(r.mocks.actions.copyTextToClipboard.calls).toEqual([['https://app.refcard.example/r/JANE42']]);
    expect(r.mocks.actions.addAlert.calls[0]).toEqual([{ type: 'success', message: 'Referral link copied.' }]);
  });

  it('a failed copy says so', async () => {
    const r = renderCard(STATES['referrer with leads']);
    await r.waitFor(() => expect(r.findByTestId(Button, 'copy-link')).toBeTruthy());
    r.mocks.actions.copyTextToClipboard.willCall(() => Promise.reject(new Error('no gesture')));
    r.findByTestId(Button, 'copy-link').trigger('onClick');
    await vi.waitFor(() => expect(r.mocks.actions.addAlert.calls[0]?.[0]).toMatchObject({ type: 'danger' }));
  });

  it('Qualify on a lead posts it and shows the server’s notice as an alert', async () => {
    const after = view({ enrolment: enrolment([lead(1, 'qualified'), lead(2, 'qualified'), lead(3, 'unqualified')]), notice: { type: 'success', message: 'Lead 1 qualified; reward issued.' } });
    const r = renderCard(STATES['referrer with leads'], () => json(after));
    await r.waitFor(() => expect(r.findByTestId(Button, 'qualify-par_lead_1')).toBeTruthy());
    r.findByTestId(Button, 'qualify-par_lead_1').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Button, 'unqualify-par_lead_1')).toBeTruthy());
    expect(r.calls[1].body).toEqual({ contactId: '777', action: 'qualify', campaignId: 'cmp_1', participantId: 'par_lead_1' });
    await vi.waitFor(() => expect(r.mocks.actions.refreshObjectProperties.callCount).toBe(1));
    expect(r.mocks.actions.addAlert.calls).toEqual([[{ type: 'success', message: 'Lead 1 qualified; reward issued.' }]]);
    expect(r.maybeFind(Alert)).toBeNull(); // the notice went into the alert, not onto the card
  });

  it('Unqualify on a lead asks for a reason, then posts it', async () => {
    const r = renderCard(STATES['referrer with leads'], () => json(STATES['referrer with leads']));
    await r.waitFor(() => expect(r.findByTestId(Button, 'unqualify-par_lead_2')).toBeTruthy());
    r.findByTestId(Button, 'unqualify-par_lead_2').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(TextArea, 'unqualify-reason')).toBeTruthy());
    expect(textOf(r.getRootNode())).toContain('Unqualify Lead 2?');
    expect(r.calls).toHaveLength(1); // nothing sent yet
    change(r.findByTestId(TextArea, 'unqualify-reason'), 'existing customer');
    await r.waitFor(() => expect(r.findByTestId(TextArea, 'unqualify-reason').props.value).toBe('existing customer'));
    r.findByTestId(Button, 'confirm-unqualify').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(TextArea, 'unqualify-reason')).toBeNull());
    expect(r.calls[1].body).toEqual({ contactId: '777', action: 'unqualify', campaignId: 'cmp_1', participantId: 'par_lead_2', reason: 'existing customer' });
    await vi.waitFor(() => expect(r.mocks.actions.addAlert.calls).toEqual([[{ type: 'success', message: 'Lead 2 unqualified.' }]]));
    expect(r.mocks.actions.refreshObjectProperties.called).toBe(true);
  });

  it('Unqualify without a reason sends none; Cancel sends nothing', async () => {
    const r = renderCard(STATES['referrer with leads'], () => json(STATES['referrer with leads']));
    await r.waitFor(() => expect(r.findByTestId(Button, 'unqualify-par_lead_2')).toBeTruthy());
    r.findByTestId(Button, 'unqualify-par_lead_2').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Button, 'cancel-unqualify')).toBeTruthy());
    r.findByTestId(Button, 'cancel-unqualify').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'confirm-unqualify')).toBeNull());
    expect(r.calls).toHaveLength(1);
    r.findByTestId(Button, 'unqualify-par_lead_2').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Button, 'confirm-unqualify')).toBeTruthy());
    change(r.findByTestId(TextArea, 'unqualify-reason'), '   ');
    r.findByTestId(Button, 'confirm-unqualify').trigger('onClick');
    await vi.waitFor(() => expect(r.calls).toHaveLength(2));
    expect(r.calls[1].body).toEqual({ contactId: '777', action: 'unqualify', campaignId: 'cmp_1', participantId: 'par_lead_2' });
  });

  it('lead: referred by, status tag, Qualify and Unqualify with the optional reason', async () => {
    const r = renderCard(STATES['lead pending'], () => json(STATES['lead qualified']));
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'lead-status-tag').text).toBe('Pending'));
    expect(textOf(r.getRootNode())).toContain('Referred by Rita Referrer on 2026-03-01');
    expect(r.findByTestId(Button, 'unqualify-par_self')).toBeTruthy();
    change(r.findByTestId(TextArea, 'lead-reason'), 'signed a contract');
    await r.waitFor(() => expect(r.findByTestId(TextArea, 'lead-reason').props.value).toBe('signed a contract'));
    r.findByTestId(Button, 'qualify-par_self').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'lead-status-tag').text).toBe('Qualified'));
    expect(r.calls[1].body).toEqual({ contactId: '777', action: 'qualify', campaignId: 'cmp_1', participantId: 'par_self', reason: 'signed a contract' });
    expect(r.findByTestId(TextArea, 'lead-reason').props.value).toBe(''); // cleared after success
    expect(r.maybeFindByTestId(Button, 'qualify-par_self')).toBeNull();
    expect(textOf(r.getRootNode())).toContain('Qualified by HubSpot deal stage on 2026-03-04');
    await vi.waitFor(() => expect(r.mocks.actions.refreshObjectProperties.called).toBe(true));
    expect(r.mocks.actions.addAlert.calls).toEqual([[{ type: 'success', message: 'Lead qualified.' }]]);
  });

  it('lead unqualified: shows the reason, offers only Qualify; Unqualify on a qualified lead posts', async () => {
    const r = renderCard(STATES['lead unqualified']);
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'lead-status-tag').text).toBe('Unqualified'));
    expect(textOf(r.getRootNode())).toContain('Reason: existing customer');
    expect(r.maybeFindByTestId(Button, 'unqualify-par_self')).toBeNull();
    vi.restoreAllMocks();

    const q = renderCard(STATES['lead qualified'], () => json(STATES['lead unqualified']));
    await q.waitFor(() => expect(q.findByTestId(Button, 'unqualify-par_self')).toBeTruthy());
    expect(q.maybeFindByTestId(Button, 'qualify-par_self')).toBeNull();
    q.findByTestId(Button, 'unqualify-par_self').trigger('onClick');
    await q.waitFor(() => expect(q.findByTestId(StatusTag, 'lead-status-tag').text).toBe('Unqualified'));
    expect(q.calls[1].body).toEqual({ contactId: '777', action: 'unqualify', campaignId: 'cmp_1', participantId: 'par_self' });
  });

  it('referrer and lead: both sections', async () => {
    const r = renderCard(STATES['referrer and lead']);
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'lead-status-tag')).toBeTruthy());
    expect(r.findByTestId(Table, 'leads-table').findAll(TableRow)).toHaveLength(3);
    expect(r.findByTestId(Button, 'qualify-par_self')).toBeTruthy();
    expect(r.findByTestId(Button, 'qualify-par_lead_1')).toBeTruthy();
  });

  it('several campaigns: picking one loads the card for it', async () => {
    const other = view({ campaigns: [STATES['several campaigns'].campaigns[0], OTHER_CAMPAIGN], campaign: OTHER_CAMPAIGN });
    const server = fakeServer((call) => json(call.url.searchParams.get('campaignId') === 'cmp_2' ? other : STATES['several campaigns']));
    const r = createRenderer('crm.record.tab');
    r.mocks.context.crm.objectId = 777;
    r.render(<ReferralCard context={r.mocks.context} actions={r.mocks.actions} />);
    await r.waitFor(() => expect(r.find(Select).props.value).toBe('cmp_1'));
    expect(r.find(Select).props.options).toEqual([
      { value: 'cmp_1', label: 'Spring referrals' },
      { value: 'cmp_2', label: 'Partners (paused)' },
    ]);
    change(r.find(Select), 'cmp_2');
    await r.waitFor(() => expect(r.find(Select).props.value).toBe('cmp_2'));
    expect(server.calls[1].url.href).toBe(`${CARD_URL}?contactId=777&campaignId=cmp_2`);
    expect(textOf(r.findByTestId(EmptyState, 'not-enrolled'))).toContain('Partners');
    // later actions use the picked campaign
    expect(r.findByTestId(Button, 'enrol')).toBeTruthy();
  });

  it('a failed action alerts the server’s detail and keeps the card', async () => {
    const r = renderCard(STATES['referrer with leads'], () => problem(409, { title: 'Conflict', detail: 'Lead 1 was erased' }));
    await r.waitFor(() => expect(r.findByTestId(Button, 'qualify-par_lead_1')).toBeTruthy());
    r.findByTestId(Button, 'qualify-par_lead_1').trigger('onClick');
    await vi.waitFor(() => expect(r.mocks.actions.addAlert.called).toBe(true));
    expect(r.mocks.actions.addAlert.calls[0]).toEqual([{ type: 'danger', title: 'Action failed', message: 'Lead 1 was erased' }]);
    expect(r.mocks.actions.refreshObjectProperties.called).toBe(false);
    await r.waitFor(() => expect(r.findByTestId(Button, 'qualify-par_lead_1').props.disabled).toBe(false));
  });

  it('a danger notice from the server becomes a danger alert, without a property refresh', async () => {
    const after = { ...STATES['referrer with leads'], notice: { type: 'danger' as const, message: 'Reward could not be issued' } };
    const r = renderCard(STATES['referrer with leads'], () => json(after));
    await r.waitFor(() => expect(r.findByTestId(Button, 'qualify-par_lead_1')).toBeTruthy());
    r.findByTestId(Button, 'qualify-par_lead_1').trigger('onClick');
    await vi.waitFor(() => expect(r.mocks.actions.addAlert.calls).toEqual([[{ type: 'danger', message: 'Reward could not be issued' }]]));
    expect(r.mocks.actions.refreshObjectProperties.called).toBe(false);
  });

  it('buttons are disabled while an action runs', async () => {
    const pending = deferred<Response>();
    const r = renderCard(STATES['referrer with leads'], () => pending.promise);
    await r.waitFor(() => expect(r.findByTestId(Button, 'qualify-par_lead_1')).toBeTruthy());
    r.findByTestId(Button, 'qualify-par_lead_1').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Button, 'qualify-par_lead_3').props.disabled).toBe(true));
    pending.resolve(json(STATES['referrer with leads']));
    await r.waitFor(() => expect(r.findByTestId(Button, 'qualify-par_lead_3').props.disabled).toBe(false));
  });

  it('a notice that comes with the view is shown on the card', async () => {
    const r = renderCard(STATES['danger notice']);
    await r.waitFor(() => expect(r.find(Alert).props.variant).toBe('danger'));
    expect(textOf(r.find(Alert))).toContain('Could not qualify: lead was erased');
  });

  it('more leads than shown: a link to all of them', async () => {
    const r = renderCard(STATES['more leads than shown']);
    await r.waitFor(() => expect(r.findByTestId(Link, 'more-leads').text).toBe('+37 more in Refcard'));
    expect(r.findByTestId(Link, 'open-console').props.href).toEqual({ url: STATES['more leads than shown'].consoleUrl, external: true });
  });
});

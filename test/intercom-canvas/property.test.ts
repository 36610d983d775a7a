// Whatever the server puts into a ContactView — any unicode, any length, lone surrogates,
// markup, duplicates — every canvas stays schema-valid, within 64 KB, with unique ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CampaignOption, ContactView, LeadRow, LeadStatus } from '../../shared/view-model.ts';
import {
  CANVAS_MAX_BYTES,
  jsonBytes,
  parseComponentId,
  renderContactCanvas,
  renderErrorCanvas,
  renderUnqualifyPrompt,
  validateCanvasResponse,
  type Canvas,
  type CanvasErrorKind,
} from '../../intercom-canvas/index.ts';

// UTF-16 code units, so lone surrogates and control characters come up too.
const anyChar = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
  fc.constantFrom('*', '_', '[', ']', '(', ')', '`', '~', '<', '#', '\\', '\n', '😀', 'https://'),
);
const text = (maxLength: number) => fc.string({ unit: anyChar, maxLength });
const longText = fc.oneof({ weight: 4, arbitrary: text(60) }, { weight: 1, arbitrary: text(3000) });
const id = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.uuid());
const status = fc.constantFrom<LeadStatus>('pending', 'qualified', 'unqualified');
const iso = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), text(20));
// real URLs, junk, and real URLs with junk around them (which the URL parser would 'repair')
const url = fc.oneof(fc.webUrl(), text(200), fc.tuple(text(3), fc.webUrl(), text(3)).map(([a, u, b]) => a + u + b));
const count = fc.nat({ max: 2_000_000 });

const campaign: fc.Arbitrary<CampaignOption> = fc.record({ id, name: longText, status: fc.constantFrom('active', 'paused', 'archived') });
const leadRow: fc.Arbitrary<LeadRow> = fc.record({
  participantId: id,
  name: fc.option(longText),
  email: longText,
  status,
  referredAt: iso,
  statusChangedAt: fc.option(iso),
});

const contactView: fc.Arbitrary<ContactView> = fc
  .record({
    contact: fc.record({ crmId: id, email: fc.option(longText), name: fc.option(longText) }),
    campaigns: fc.array(campaign, { maxLength: 15 }),
    campaign: fc.option(campaign, { freq: 8 }),
    enrolment: fc.option(
      fc.record({
        participantId: id,
        name: fc.option(longText),
        referrer: fc.record({
          code: text(20),
          link: url,
          stats: fc.record({ referrals: count, qualified: count, pending: count, unqualified: count, rewardsEarned: count, rewardsLabel: longText }),
          leads: fc.oneof({ weight: 5, arbitrary: fc.array(leadRow, { maxLength: 12 }) }, { weight: 1, arbitrary: fc.array(leadRow, { minLength: 100, maxLength: 400 }) }),
          moreLeads: count,
        }),
        lead: fc.option(
          fc.record({
            status,
            referredBy: fc.record({ participantId: id, name: fc.option(longText), email: fc.option(longText) }),
            referredAt: iso,
            statusChangedAt: fc.option(iso),
            statusReason: fc.option(longText),
            statusSource: fc.option(longText),
          }),
        ),
      }),
      { freq: 4 },
    ),
    consoleUrl: url,
    notice: fc.option(fc.record({ type: fc.constantFrom('success', 'info', 'warning', 'danger'), message: longText })),
  })
  // A view about a campaign lists it among the campaigns, as the server builds it.
  .map((v) => (v.campaign && !v.campaigns.some((c) => c.id === v.campaign!.id) ? { ...v, campaigns: [v.campaign, ...v.campaigns] } : v));

function expectSound(canvas: Canvas) {
  for (const kind of ['initialize', 'submit'] as const) {
    const result = validateCanvasResponse(kind, { canvas });
    expect(result.errors).toEqual([]);
  }
  expect(jsonBytes(canvas.content)).toBeLessThanOrEqual(CANVAS_MAX_BYTES);
  expect(jsonBytes(canvas.stored_data ?? {})).toBeLessThanOrEqual(CANVAS_MAX_BYTES);
  // JSON must survive a round trip unchanged (no lone surrogates turned into garbage on the way)
  expect(JSON.parse(JSON.stringify(canvas))).toEqual(canvas);
}

describe('canvases for arbitrary ContactView data', () => {
  it('renderContactCanvas is always schema-valid, ≤ 64 KB, with parseable submit ids', () => {
    fc.assert(
      fc.property(contactView, (view) => {
        const canvas = renderContactCanvas(view);
        expectSound(canvas);
        for (const c of canvas.content.components) {
          if (c.type === 'button' && c.action.type === 'submit') expect(parseComponentId(c.id)).not.toBeNull();
          if (c.type === 'list') for (const item of c.items) expect(parseComponentId(item.id)).not.toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('renderUnqualifyPrompt is always schema-valid and ≤ 64 KB', () => {
    fc.assert(
      fc.property(contactView, id, (view, participantId) => {
        const some = view.enrolment?.referrer.leads[0]?.participantId;
        expectSound(renderUnqualifyPrompt(view, some ?? participantId));
      }),
      { numRuns: 150 },
    );
  });

  it('renderErrorCanvas is always schema-valid and ≤ 64 KB', () => {
    const kind = fc.constantFrom<CanvasErrorKind>('unknown_contact', 'no_email', 'disconnected', 'no_campaign', 'not_installed', 'error');
    fc.assert(
      fc.property(kind, fc.option(longText, { nil: undefined }), fc.option(url, { nil: undefined }), (k, message, consoleUrl) => {
        expectSound(renderErrorCanvas({ kind: k, message, consoleUrl }));
      }),
      { numRuns: 150 },
    );
  });
});

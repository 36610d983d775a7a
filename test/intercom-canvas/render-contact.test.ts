import { describe, expect, it } from 'vitest';
import {
  CANVAS_LEADS_SHOWN,
  CANVAS_MAX_BYTES,
  jsonBytes,
  parseComponentId,
  parseStoredData,
  renderContactCanvas,
  validateCanvasResponse,
  type ButtonComponent,
  type Canvas,
  type CanvasComponent,
  type DataTableComponent,
  type ListComponent,
  type SingleSelectComponent,
  type TextComponent,
} from '../../intercom-canvas/index.ts';
import { CAMPAIGN, enrolment, lead, leadSection, OTHER_CAMPAIGN, STATES, view } from './fixtures.ts';

function expectValid(canvas: Canvas) {
  for (const kind of ['initialize', 'submit'] as const) {
    const result = validateCanvasResponse(kind, { canvas });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  }
  expect(jsonBytes(canvas.content)).toBeLessThanOrEqual(CANVAS_MAX_BYTES);
}

const of = <T extends CanvasComponent['type']>(canvas: Canvas, type: T) =>
  canvas.content.components.filter((c) => c.type === type) as Extract<CanvasComponent, { type: T }>[];
const buttons = (canvas: Canvas) => of(canvas, 'button') as ButtonComponent[];
const buttonIds = (canvas: Canvas) => buttons(canvas).map((b) => b.id);
const table = (canvas: Canvas) => Object.fromEntries((of(canvas, 'data-table')[0] as DataTableComponent).items.map((i) => [i.field, i.value]));
const texts = (canvas: Canvas) => (of(canvas, 'text') as TextComponent[]).map((t) => t.text);

describe('renderContactCanvas', () => {
  it.each(Object.entries(STATES))('%s renders a schema-valid canvas within limits', (_name, state) => {
    expectValid(renderContactCanvas(state));
  });

  it('carries contact, campaign and own participant in stored_data', () => {
    const canvas = renderContactCanvas(STATES['referrer with leads']);
    expect(parseStoredData(canvas.stored_data)).toEqual({ contactId: 'ic_contact_1', campaignId: 'cmp_1', participantId: 'par_self' });
    expect(parseStoredData(renderContactCanvas(STATES['not enrolled']).stored_data)).toEqual({ contactId: 'ic_contact_1', campaignId: 'cmp_1' });
  });

  it('referrer: link, numbers, open-link button and leads whose click qualifies or asks to unqualify', () => {
    const canvas = renderContactCanvas(STATES['referrer with leads']);
    expect(table(canvas)).toMatchObject({
      'Referral link': 'https://app.refcard.example/r/JANE42',
      Referrals: '3 (1 pending)',
      Qualified: '1',
      Rewards: '$50 (1 rewards)',
    });
    expect(buttons(canvas).find((b) => b.id === 'open_link')?.action).toEqual({ type: 'url', url: 'https://app.refcard.example/r/JANE42' });
    const [list] = of(canvas, 'list') as ListComponent[];
    expect(list.items.map((i) => i.id)).toEqual(['qualify:par_lead_1', 'unqualify:par_lead_2', 'qualify:par_lead_3']);
    expect(list.items.every((i) => i.action?.type === 'submit')).toBe(true);
    expect(list.items[0]).toMatchObject({ title: 'Lead 1', subtitle: 'lead1@example.com' });
    expect(buttonIds(canvas)).not.toContain('enrol');
    expect(buttonIds(canvas)).toContain('refresh');
  });

  it('referrer without leads shows no list', () => {
    expect(of(renderContactCanvas(STATES['referrer without leads']), 'list')).toEqual([]);
  });

  it.each([
    ['pending', ['qualify:par_self', 'unqualify:par_self']],
    ['qualified', ['unqualify:par_self']],
    ['unqualified', ['qualify:par_self']],
  ] as const)('lead %s: referred by, status and the right buttons', (status, expected) => {
    const canvas = renderContactCanvas(STATES[`lead ${status}`]);
    expect(table(canvas)['Referred by']).toBe('Rita Referrer');
    expect(table(canvas)['Lead status']).toMatch(new RegExp(`^${status}`, 'i'));
    const ids = buttonIds(canvas).filter((id) => id.includes('qualify'));
    expect(ids).toEqual(expected);
  });

  it('unqualified lead shows the reason', () => {
    expect(table(renderContactCanvas(STATES['lead unqualified'])).Reason).toBe('existing customer');
  });

  it('referrer and lead: both sections, own buttons and leads list with distinct ids', () => {
    const canvas = renderContactCanvas(STATES['referrer and lead']);
    expect(Object.keys(table(canvas))).toEqual(['Referred by', 'Lead status', 'Referral link', 'Referrals', 'Qualified', 'Rewards']);
    expect(buttonIds(canvas)).toEqual(expect.arrayContaining(['qualify:par_self', 'unqualify:par_self', 'open_link']));
    expect((of(canvas, 'list')[0] as ListComponent).items.map((i) => i.id)).toEqual(['qualify:par_lead_1', 'unqualify:par_lead_2']);
  });

  it('not enrolled: Enrol button; without email: no Enrol, an explanation', () => {
    expect(buttonIds(renderContactCanvas(STATES['not enrolled']))).toEqual(['enrol', 'refresh']);
    const noEmail = renderContactCanvas(STATES['not enrolled, no email']);
    expect(buttonIds(noEmail)).toEqual(['refresh']);
    expect(texts(noEmail).join(' ')).toMatch(/no email/);
  });

  it('no campaign: the no_campaign canvas with a console button', () => {
    const canvas = renderContactCanvas(STATES['no campaign']);
    expect(texts(canvas).join(' ')).toMatch(/no referral campaign/i);
    expect(buttons(canvas).find((b) => b.id === 'open_console')?.action).toEqual({ type: 'url', url: STATES['no campaign'].consoleUrl });
  });

  it('one campaign: no picker; several: single-select that submits', () => {
    expect(of(renderContactCanvas(STATES['referrer with leads']), 'single-select')).toEqual([]);
    const [picker] = of(renderContactCanvas(STATES['several campaigns']), 'single-select') as SingleSelectComponent[];
    expect(picker).toMatchObject({ id: 'campaign', value: 'cmp_1', action: { type: 'submit' } });
    expect(picker.options).toEqual([
      { type: 'option', id: 'cmp_1', text: 'Spring referrals' },
      { type: 'option', id: 'cmp_2', text: 'Partners (paused)' },
    ]);
  });

  it('more than 10 campaigns: 10 options, the current one kept', () => {
    const campaigns = Array.from({ length: 25 }, (_, i) => ({ id: `c${i}`, name: `Campaign ${i}`, status: 'active' as const }));
    const canvas = renderContactCanvas(view({ campaigns, campaign: campaigns[20] }));
    const [picker] = of(canvas, 'single-select') as SingleSelectComponent[];
    expect(picker.options).toHaveLength(10);
    expect(picker.options.map((o) => o.id)).toContain('c20');
    expectValid(canvas);
  });

  it('duplicate campaigns collapse; a single distinct campaign shows no picker', () => {
    expect(of(renderContactCanvas(view({ campaigns: [CAMPAIGN, CAMPAIGN] })), 'single-select')).toEqual([]);
    expect(of(renderContactCanvas(view({ campaigns: [OTHER_CAMPAIGN, CAMPAIGN, OTHER_CAMPAIGN] })), 'single-select')).toHaveLength(1);
  });

  it('notice comes first: success muted, danger and warning as error', () => {
    expect(renderContactCanvas(STATES['success notice']).content.components[0]).toEqual({ type: 'text', text: 'Lead 1 qualified', style: 'muted' });
    expect(renderContactCanvas(STATES['danger notice']).content.components[0]).toMatchObject({ type: 'text', style: 'error' });
    expect(renderContactCanvas(STATES['hostile names']).content.components[0]).toMatchObject({ type: 'text', style: 'error' });
  });

  it('a notice without text is left out', () => {
    const canvas = renderContactCanvas(view({ notice: { type: 'info', message: ' \n ' } }));
    expect(canvas.content.components[0]).toMatchObject({ type: 'text', style: 'header' });
  });

  it('huge lead lists: a few shown, the rest counted, link to the console', () => {
    const canvas = renderContactCanvas(STATES['huge lead list']);
    expect((of(canvas, 'list')[0] as ListComponent).items).toHaveLength(CANVAS_LEADS_SHOWN);
    expect(texts(canvas)).toContain(`+${5000 - CANVAS_LEADS_SHOWN + 1_000_000} more`);
    expect(buttonIds(canvas)).toContain('open_console');
    expect(jsonBytes(canvas)).toBeLessThan(8 * 1024);
    const ten = renderContactCanvas(STATES['more leads than shown']);
    expect(texts(ten)).toContain(`+${10 - CANVAS_LEADS_SHOWN + 37} more`);
  });

  it('leads repeated or equal to the contact itself are shown once (ids stay unique)', () => {
    const self = lead(0, 'pending', { participantId: 'par_self' });
    const canvas = renderContactCanvas(view({ enrolment: enrolment([lead(1), lead(1), self], leadSection()) }));
    expect((of(canvas, 'list')[0] as ListComponent).items.map((i) => i.id)).toEqual(['qualify:par_lead_1']);
    expectValid(canvas);
  });

  it('hostile names: no Markdown formatting or links reach text components; long names are clipped', () => {
    const canvas = renderContactCanvas(STATES['hostile names']);
    for (const text of texts(canvas)) {
      expect(text).not.toMatch(/(^|[^\\])[*_`~[]/); // every markup character is escaped
      expect(text).not.toMatch(/https?:\/\//); // no autolinkable URL
    }
    expect(texts(canvas)[0]).toBe('1\\. \\[Phish\\](https\u2060://evil.example) \\*\\*now\\*\\* https\u2060://evil.example');
    expect(texts(canvas)[1]).toBe('Referrals · \\# \\_Free\\_ \\~money\\~ \\`now\\`');
    // plain-text places keep the characters (they are not Markdown) but lose newlines and length
    const tbl = table(canvas);
    expect(tbl['Referred by']).toBe('*bold* # heading');
    const [list] = of(canvas, 'list') as ListComponent[];
    expect(list.items[0].title).toBe('[x](javascript:alert(1))');
    expect(list.items[1].title.length).toBeLessThanOrEqual(100);
    expect(list.items[1].title.endsWith('…')).toBe(true);
  });

  it('only http(s) links become url buttons', () => {
    const base = enrolment([lead(1)]);
    const canvas = renderContactCanvas(view({ enrolment: { ...base, referrer: { ...base.referrer, link: 'javascript:alert(1)' } } }));
    expect(buttonIds(canvas)).not.toContain('open_link');
    expectValid(canvas);
  });

  it('every submit component id parses back into an instruction', () => {
    for (const state of Object.values(STATES)) {
      const canvas = renderContactCanvas(state);
      for (const c of canvas.content.components) {
        const ids = c.type === 'list' ? c.items.filter((i) => i.action?.type === 'submit').map((i) => i.id)
          : (c.type === 'button' || c.type === 'single-select') && c.action?.type === 'submit' ? [c.id] : [];
        for (const id of ids) expect(parseComponentId(id), id).not.toBeNull();
      }
    }
  });
});

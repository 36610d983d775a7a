import { describe, expect, it } from 'vitest';
import { jsx } from 'hono/jsx';
import { Button, Link, StatusTag, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { CanvasView, markdown } from '../../server/sandbox/pages/canvas-html.tsx';
import { CardTree } from '../../server/sandbox/pages/card-html.tsx';
import { escapeMarkdown } from '../../intercom-canvas/index.ts';
import { expectNoInjectedMarkup, textOf } from './support.ts';

// The sandbox draws the card's UI-extension tree and the canvas JSON as HTML: names and emails
// with markup must come out as text there too, links only as http(s), and Canvas Kit's little
// Markdown (bold, links) must not let escaped user data become markup or links.

const html = (node: unknown) => String(node);

describe('the canvas drawn as HTML', () => {
  it('keeps markup in names, labels and values as text', () => {
    const out = html(
      jsx(CanvasView, {
        canvas: {
          content: {
            components: [
              { type: 'text', text: `**${escapeMarkdown('<img src=x onerror=alert(1)>')}**`, style: 'header' },
              { type: 'data-table', items: [{ type: 'field-value', field: '<b>Email</b>', value: '"><svg onload=alert(2)>@x.test' }] },
              { type: 'button', id: 'qualify"><script>', label: '<script>alert(3)</script>', action: { type: 'submit' } },
              { type: 'textarea', id: 'reason', label: 'Reason', value: '</textarea><img src=x onerror=alert(4)>' },
              { type: 'button', id: 'open', label: 'Open', action: { type: 'url', url: 'javascript:alert(5)' } },
            ],
          },
        },
      }),
    );
    expectNoInjectedMarkup(html(out), 'canvas');
    const text = textOf(out);
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('<script>alert(3)</script>');
    expect(out).not.toContain('javascript:');
  });

  it('renders bold and http(s) links, and leaves escaped Markdown literal', () => {
    expect(html(markdown('Referred by **Ann** — [open](https://app.example/x)'))).toBe('Referred by <strong>Ann</strong> — <a href="https://app.example/x" target="_blank" rel="noopener noreferrer">open</a>');
    const name = escapeMarkdown('*[win](https://evil.example)*');
    expect(html(markdown(`Name: ${name}`))).toBe('Name: *[win](https\u2060://evil.example)*'); // the word joiner stops autolinking
    expect(html(markdown('[x](javascript:alert(1))'))).toBe('[x](javascript:alert(1))');
  });
});

describe('the card tree drawn as HTML', () => {
  function Evil() {
    return (
      <>
        <Text>{'<script>alert("name")</script>'}</Text>
        <Link href={{ url: 'javascript:alert(1)', external: true }}>click</Link>
        <Link href={{ url: 'https://ok.example/r/abc', external: true }} testId="referral-link">
          {'"><img src=x onerror=alert(2)>'}
        </Link>
        <StatusTag variant="success">{'<b>Qualified</b>'}</StatusTag>
        <TextArea name="r" testId="lead-reason" label="<i>Reason</i>" value={'</textarea><svg onload=alert(3)>'} onChange={() => undefined} />
        <Button testId={'qualify-"x'} onClick={() => undefined}>
          {'Qualify <em>'}
        </Button>
      </>
    );
  }

  it('keeps everything the server sent as text and drops non-http links', () => {
    const r = createRenderer('crm.record.tab');
    r.render(<Evil />);
    const out = html(jsx(CardTree, { root: r.getRootNode(), opts: { copies: {} } }));
    expectNoInjectedMarkup(out, 'card');
    expect(out).not.toContain('javascript:');
    expect(out).toContain('href="https://ok.example/r/abc"');
    const text = textOf(out);
    expect(text).toContain('<script>alert("name")</script>');
    expect(text).toContain('"><img src=x onerror=alert(2)>');
    expect(out).toContain('name="press" value="qualify-&quot;x"');
  });
});

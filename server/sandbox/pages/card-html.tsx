/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import type { RenderedChildNode, RenderedElementNode, RenderedRootNode } from '@hubspot/ui-extensions/testing';

// Draws the card's rendered UI-extension tree (what HubSpot's iframe would receive) as HTML, one
// element per HubSpot component, roughly as HubSpot styles them. Interactive components become
// form controls of the one card form: each Button submits its testId, each TextArea and Select
// posts its value, so the server can replay the click on the real card.

type Node = RenderedChildNode | RenderedRootNode;
type Props = Record<string, unknown>;

export interface CardHtmlOptions {
  /** testId → text each Copy button copies (for the browser clipboard) */
  copies: Record<string, string>;
}

const safeUrl = (u: unknown): string | null => {
  const s = typeof u === 'string' ? u : typeof u === 'object' && u && 'url' in u ? String((u as { url: unknown }).url) : null;
  return s && /^https?:\/\//i.test(s) ? s : null;
};

export function CardTree({ root, opts }: { root: RenderedRootNode; opts: CardHtmlOptions }) {
  return <>{root.childNodes.map((n) => draw(n, opts))}</>;
}

function kids(node: { childNodes?: RenderedChildNode[] }, opts: CardHtmlOptions): Child {
  return <>{(node.childNodes ?? []).map((n) => draw(n, opts))}</>;
}

function textOf(node: Node): string {
  if (node.nodeType === 'text') return node.text;
  return ((node as { childNodes?: RenderedChildNode[] }).childNodes ?? []).map(textOf).join('');
}

function draw(node: Node, opts: CardHtmlOptions): Child {
  if (node.nodeType === 'text') return node.text;
  if (node.nodeType !== 'element') return kids(node as RenderedRootNode, opts);
  const el = node as RenderedElementNode;
  const p = el.props as Props;
  const testId = typeof p.testId === 'string' ? p.testId : undefined;
  const data = { 'data-hs': el.name, 'data-testid': testId };
  switch (el.name) {
    case 'Flex':
      return (
        <div {...data} class={`hs-flex ${p.direction === 'row' ? 'hs-row' : 'hs-col'}`}>
          {kids(el, opts)}
        </div>
      );
    case 'Box':
    case 'ButtonRow':
    case 'Statistics':
      return (
        <div {...data} class={`hs-${el.name.toLowerCase()}`}>
          {kids(el, opts)}
        </div>
      );
    case 'Divider':
      return <hr {...data} />;
    case 'Heading':
      return (
        <h4 {...data} class="hs-heading">
          {kids(el, opts)}
        </h4>
      );
    case 'Text': {
      const format = (p.format ?? {}) as { fontWeight?: string };
      const cls = `hs-text${p.variant === 'microcopy' ? ' hs-micro' : ''}${format.fontWeight === 'bold' || format.fontWeight === 'demibold' ? ' hs-strong' : ''}`;
      return p.inline ? (
        <span {...data} class={cls}>
          {kids(el, opts)}
        </span>
      ) : (
        <p {...data} class={cls}>
          {kids(el, opts)}
        </p>
      );
    }
    case 'Link': {
      const url = safeUrl(p.href);
      return url ? (
        <a {...data} href={url} target="_blank" rel="noopener noreferrer">
          {kids(el, opts)}
        </a>
      ) : (
        <span {...data}>{kids(el, opts)}</span>
      );
    }
    case 'Button': {
      const copy = testId ? opts.copies[testId] : undefined;
      return (
        <button
          {...data}
          type="submit"
          name="press"
          value={testId ?? ''}
          disabled={!testId || p.disabled === true}
          class={`hs-button hs-${String(p.variant ?? 'secondary')}${p.size === 'xs' || p.size === 'sm' ? ' hs-small' : ''}`}
          data-copy-text={copy}
        >
          {kids(el, opts)}
        </button>
      );
    }
    case 'TextArea': {
      const id = `hs-${testId ?? String(p.name)}`;
      return (
        <div {...data} class="hs-field">
          <label for={id}>{String(p.label ?? '')}</label>
          <textarea id={id} name={`v:${testId ?? ''}`} rows={Number(p.rows ?? 2)} maxlength={typeof p.maxLength === 'number' ? p.maxLength : undefined} placeholder={typeof p.placeholder === 'string' ? p.placeholder : undefined}>
            {String(p.value ?? '')}
          </textarea>
        </div>
      );
    }
    case 'Select': {
      const id = `hs-${testId ?? String(p.name)}`;
      const options = (Array.isArray(p.options) ? p.options : []) as { value: unknown; label: unknown }[];
      return (
        <div {...data} class="hs-field hs-row">
          <label for={id}>{String(p.label ?? '')}</label>
          <select id={id} name={`v:${testId ?? ''}`}>
            {options.map((o) => (
              <option value={String(o.value)} selected={String(o.value) === String(p.value)}>
                {String(o.label)}
              </option>
            ))}
          </select>
          <button type="submit" name="press" value={`change:${testId ?? ''}`} class="hs-button hs-secondary hs-small" disabled={!testId || p.readOnly === true}>
            Switch
          </button>
        </div>
      );
    }
    case 'StatisticsItem':
      return (
        <div {...data} class="hs-stat">
          <span class="hs-stat-label">{String(p.label ?? '')}</span>
          <span class="hs-stat-number">{String(p.number ?? '')}</span>
        </div>
      );
    case 'StatusTag':
      return (
        <span {...data} class={`hs-tag hs-tag-${String(p.variant ?? 'default')}`}>
          {kids(el, opts)}
        </span>
      );
    case 'Alert':
      return (
        <div {...data} class={`hs-alert hs-alert-${String(p.variant ?? 'info')}`} role="status">
          {p.title ? <strong>{String(p.title)} </strong> : null}
          {kids(el, opts)}
        </div>
      );
    case 'EmptyState':
    case 'ErrorState':
      return (
        <section {...data} class="hs-state">
          <h4 class="hs-heading">{String(p.title ?? '')}</h4>
          {kids(el, opts)}
        </section>
      );
    case 'LoadingSpinner':
      return (
        <p {...data} role="status">
          {String(p.label ?? 'Loading…')}
        </p>
      );
    case 'Table':
      return (
        <table {...data} class="hs-table">
          {kids(el, opts)}
        </table>
      );
    case 'TableHead':
      return <thead {...data}>{kids(el, opts)}</thead>;
    case 'TableBody':
      return <tbody {...data}>{kids(el, opts)}</tbody>;
    case 'TableRow':
      return <tr {...data}>{kids(el, opts)}</tr>;
    case 'TableHeader':
      return (
        <th {...data} scope="col">
          {kids(el, opts)}
        </th>
      );
    case 'TableCell':
      return <td {...data}>{kids(el, opts)}</td>;
    default:
      // A component this host does not draw yet: its text still shows, marked for developers.
      return (
        <div {...data} class="hs-unknown" title={`HubSpot component ${el.name}`}>
          {textOf(el)}
        </div>
      );
  }
}

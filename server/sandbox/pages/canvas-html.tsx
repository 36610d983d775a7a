/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

// Draws a Canvas Kit canvas (the JSON our server answered to the emulated inbox) as HTML, the way
// the Intercom inbox lays it out. Submit buttons post the component id and every input's value
// back, so the emulated inbox can send Intercom's signed submit request with them.

interface Component {
  type: string;
  id?: string;
  [k: string]: unknown;
}
export interface CanvasJson {
  content?: { components?: Component[] };
  [k: string]: unknown;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const isSubmit = (a: unknown) => typeof a === 'object' && a !== null && (a as { type?: unknown }).type === 'submit';
const urlOf = (a: unknown) => {
  const u = typeof a === 'object' && a !== null && (a as { type?: unknown }).type === 'url' ? str((a as { url?: unknown }).url) : '';
  return /^https?:\/\//i.test(u) ? u : null;
};

/**
 * Canvas Kit text is Markdown limited to **bold** and [links](url); a backslash makes the next
 * character literal (our canvases escape user data that way). Everything else is plain text.
 */
export function markdown(text: string): Child {
  const out: Child[] = [];
  let plain = '';
  let bold: string | null = null;
  const emit = (node: Child) => {
    if (bold !== null) bold += typeof node === 'string' ? node : '';
    else out.push(node);
  };
  const flushPlain = () => {
    if (plain) emit(plain);
    plain = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      plain += text[++i];
    } else if (ch === '*' && text[i + 1] === '*') {
      flushPlain();
      if (bold === null) bold = '';
      else {
        out.push(<strong>{bold}</strong>);
        bold = null;
      }
      i++;
    } else if (ch === '[') {
      const link = /^\[((?:\\.|[^\]\\])*)\]\((https?:\/\/[^)\s]+)\)/i.exec(text.slice(i));
      if (link) {
        flushPlain();
        const label = link[1]!.replace(/\\(.)/g, '$1');
        if (bold !== null) bold += label;
        else
          out.push(
            <a href={link[2]} target="_blank" rel="noopener noreferrer">
              {label}
            </a>,
          );
        i += link[0].length - 1;
      } else plain += ch;
    } else plain += ch;
  }
  flushPlain();
  if (bold !== null) out.push(`**${bold}`);
  return <>{out}</>;
}

export function CanvasView({ canvas }: { canvas: CanvasJson }) {
  return <>{(canvas.content?.components ?? []).map((c) => draw(c))}</>;
}

function draw(c: Component): Child {
  const id = c.id ? `ic-${c.id}` : undefined;
  switch (c.type) {
    case 'text': {
      const style = str(c.style);
      const body = markdown(str(c.text));
      if (style === 'header') return <h4 class="ic-header">{body}</h4>;
      return <p class={`ic-text${style === 'muted' ? ' muted' : style === 'error' ? ' error-text' : ''}`}>{body}</p>;
    }
    case 'data-table':
      return (
        <dl class="ic-table">
          {((c.items as { field: unknown; value: unknown }[]) ?? []).map((i) => (
            <>
              <dt>{str(i.field)}</dt>
              <dd>{str(i.value)}</dd>
            </>
          ))}
        </dl>
      );
    case 'list':
      return (
        <ul class="ic-list">
          {((c.items as Component[]) ?? []).map((i) => {
            const body = (
              <>
                <strong>{str(i.title)}</strong>
                {i.subtitle ? <span class="muted"> · {str(i.subtitle)}</span> : null}
                {i.tertiary_text ? <span class="muted"> · {str(i.tertiary_text)}</span> : null}
              </>
            );
            // In the inbox a list item with an action is clickable as a whole.
            return (
              <li>
                {isSubmit(i.action) && i.id ? (
                  <button type="submit" name="component" value={i.id} class="ic-item" disabled={i.disabled === true}>
                    {body}
                  </button>
                ) : (
                  body
                )}
              </li>
            );
          })}
        </ul>
      );
    case 'button': {
      const url = urlOf(c.action);
      const cls = `ic-button ic-${str(c.style) || 'primary'}`;
      if (url)
        return (
          <a class={cls} href={url} target="_blank" rel="noopener noreferrer">
            {str(c.label)}
          </a>
        );
      return (
        <button type="submit" name="component" value={c.id ?? ''} class={cls} disabled={c.disabled === true || !c.id} data-canvas-button={c.id}>
          {str(c.label)}
        </button>
      );
    }
    case 'divider':
      return <hr />;
    case 'spacer':
      return <div class="ic-spacer" />;
    case 'input':
      return (
        <div class="ic-field">
          <label for={id}>{str(c.label)}</label>
          <input type="text" id={id} name={`in:${c.id}`} value={str(c.value)} placeholder={str(c.placeholder) || undefined} disabled={c.disabled === true} />
          {isSubmit(c.action) ? (
            <button type="submit" name="component" value={c.id ?? ''} class="ic-button ic-secondary">
              Go
            </button>
          ) : null}
        </div>
      );
    case 'textarea':
      return (
        <div class="ic-field">
          <label for={id}>{str(c.label)}</label>
          <textarea id={id} name={`in:${c.id}`} placeholder={str(c.placeholder) || undefined} disabled={c.disabled === true} rows={3}>
            {str(c.value)}
          </textarea>
        </div>
      );
    case 'single-select':
    case 'dropdown': {
      const options = (c.options as { id: string; text: unknown; disabled?: boolean }[]) ?? [];
      return (
        <div class="ic-field">
          <label for={id}>{str(c.label)}</label>
          <select id={id} name={`in:${c.id}`} disabled={c.disabled === true}>
            {options.map((o) => (
              <option value={o.id} selected={o.id === c.value} disabled={o.disabled === true}>
                {str(o.text)}
              </option>
            ))}
          </select>
          {c.type === 'single-select' && isSubmit(c.action) ? (
            <button type="submit" name="component" value={c.id ?? ''} class="ic-button ic-secondary">
              Choose
            </button>
          ) : null}
        </div>
      );
    }
    default:
      return <p class="muted">[{c.type}]</p>;
  }
}

/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { Csrf } from './layout.tsx';

// Form controls with their label bound, their hint and error announced (aria-describedby), and
// the invalid state exposed to assistive technology.

interface FieldProps {
  id: string;
  name?: string;
  label: string;
  value?: string;
  hint?: string;
  error?: string;
  type?: 'text' | 'url' | 'search' | 'number' | 'email';
  required?: boolean;
  maxlength?: number;
  placeholder?: string;
  inputmode?: 'decimal' | 'numeric' | 'text';
  /** visually hidden label (inside table cells, where the column header shows it) */
  hiddenLabel?: boolean;
}

const describedBy = (id: string, hint?: string, error?: string) => [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function TextField(p: FieldProps) {
  return (
    <div>
      <label for={p.id} class={p.hiddenLabel ? 'sr-only' : undefined}>
        {p.label}
      </label>
      <input
        id={p.id}
        name={p.name ?? p.id}
        type={p.type ?? 'text'}
        value={p.value ?? ''}
        required={p.required}
        maxlength={p.maxlength}
        placeholder={p.placeholder}
        inputmode={p.inputmode}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.id, p.hint, p.error)}
      />
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <FieldError id={p.id} error={p.error} />
    </div>
  );
}

export function SelectField(p: { id: string; name?: string; label: string; value: string; options: readonly (readonly [string, string])[]; hint?: string; error?: string; hiddenLabel?: boolean; required?: boolean }) {
  return (
    <div>
      <label for={p.id} class={p.hiddenLabel ? 'sr-only' : undefined}>
        {p.label}
      </label>
      <select id={p.id} name={p.name ?? p.id} required={p.required} aria-invalid={p.error ? 'true' : undefined} aria-describedby={describedBy(p.id, p.hint, p.error)}>
        {p.options.map(([value, text]) => (
          <option value={value} selected={value === p.value}>
            {text}
          </option>
        ))}
      </select>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <FieldError id={p.id} error={p.error} />
    </div>
  );
}

export function CheckboxField(p: { id: string; name?: string; label: string; checked: boolean; hint?: string; value?: string }) {
  return (
    <div>
      <input type="checkbox" id={p.id} name={p.name ?? p.id} value={p.value ?? 'on'} checked={p.checked} aria-describedby={p.hint ? `${p.id}-hint` : undefined} />{' '}
      <label for={p.id} class="inline">
        {p.label}
      </label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
    </div>
  );
}

export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p class="hint" id={`${id}-error`}>
      <strong class="error-text">{error}</strong>
    </p>
  ) : null;
}

/** A summary at the top of a form that failed, linking to each field (WCAG error identification). */
export function ErrorSummary({ errors }: { errors: Record<string, string> }) {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  return (
    <div class="flash danger" role="alert" tabindex={-1}>
      <p>
        <strong>Please correct {entries.length === 1 ? 'this' : `these ${entries.length}`}:</strong>
      </p>
      <ul>
        {entries.map(([id, message]) => (
          <li>
            <a href={`#${id}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A secret shown exactly once, with a copy button (the script adds the copying). */
export function OnceSecret({ id, label, value, children }: { id: string; label: string; value: string; children?: Child }) {
  return (
    <div class="flash warning" role="status">
      <p>
        <strong>{label}</strong> It is shown only this once: copy it now.
      </p>
      <p>
        <code class="secret" id={id}>
          {value}
        </code>{' '}
        <button type="button" class="secondary" data-copy={id}>
          Copy
        </button>
      </p>
      {children}
    </div>
  );
}

/** A data table with its column headings, scrolling sideways on narrow screens; `children` are its rows. */
export function Table({ head, children }: { head: Child[]; children: Child }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A one-button form that does something destructive (revoke, delete, disconnect); `label` names what, for screen readers. */
export function DangerButton({ action, csrf, label, children, inline }: { action: string; csrf: string; label: string; children: Child; inline?: boolean }) {
  return (
    <form method="post" action={action} class={inline ? 'inline' : undefined}>
      <Csrf token={csrf} />
      <button type="submit" class="danger" aria-label={label}>
        {children}
      </button>
    </form>
  );
}

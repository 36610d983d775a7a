import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** A small, accessible, mobile-first page shell (system fonts, high contrast, no scripts). */
export function page(title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
*{box-sizing:border-box} body{margin:0;font:17px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827;background:#f5f7fb}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 1rem} label{display:block;font-weight:600;margin-top:1rem}
input[type=text],input:not([type]),input[type=email]{width:100%;padding:.7rem;border:2px solid #6b7280;border-radius:8px;font:inherit;margin-top:.25rem}
input:focus,button:focus{outline:3px solid #2563eb;outline-offset:2px} .check{display:flex;gap:.6rem;align-items:flex-start;margin-top:1rem}
.check label{margin:0;font-weight:400} .check input{width:1.3rem;height:1.3rem;margin-top:.2rem}
button{margin-top:1.5rem;width:100%;padding:.85rem;border:0;border-radius:8px;background:#1d4ed8;color:#fff;font:inherit;font-weight:700;cursor:pointer}
button[disabled]{background:#9ca3af;cursor:not-allowed} .err{color:#b91c1c;font-weight:600;margin:.35rem 0 0}
</style></head><body>${body}</body></html>`;
}

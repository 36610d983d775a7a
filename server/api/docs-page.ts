import { html, raw } from 'hono/html';

type Doc = { info: { title: string; description?: string }; paths?: Record<string, Record<string, { summary?: string; description?: string; requestBody?: unknown; parameters?: unknown[]; responses?: Record<string, { description?: string }> }>> };

/** A self-contained reference page rendered from the OpenAPI document (no scripts, no CDN). */
export function renderApiDocs(doc: Doc) {
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${doc.info.title} reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{margin-bottom:.25rem} .op{border:1px solid #d5dae3;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase;color:#0b5cad} code{background:#f2f4f8;padding:.1rem .3rem;border-radius:4px}
details pre{background:#f7f8fb;padding:.75rem;overflow:auto;font-size:13px}
</style></head><body>
<h1>${doc.info.title}</h1><p>${doc.info.description ?? ''}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a></p>
${raw(
  ops
    .map(
      ({ path, method, op }) => `<section class="op"><div><span class="m">${esc(method)}</span><code>/api/v1${esc(path)}</code></div>
<p>${esc(op.summary ?? '')}${op.description ? `<br><small>${esc(op.description)}</small>` : ''}</p>
<details><summary>Request and responses</summary><pre>${esc(JSON.stringify({ parameters: op.parameters, requestBody: op.requestBody, responses: op.responses }, null, 2))}</pre></details></section>`,
    )
    .join('\n'),
)}
</body></html>`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

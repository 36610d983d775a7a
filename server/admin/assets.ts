import { Hono } from 'hono';
import { createHash } from 'node:crypto';

// The console's only stylesheet and its only script, served from here (no CDN, no build step).
// Colours meet WCAG AA contrast on white; focus is always visible; the layout fits a 1280×720
// laptop screen and reflows on narrow ones. The script is progressive enhancement: every page
// works without it.

export const CONSOLE_CSS = `
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
body{margin:0}
a{color:#1d4ed8}
a:hover{color:#1e3a8a}
:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:1rem}
.shell{display:grid;grid-template-columns:14rem 1fr;min-height:100vh}
.side{background:#111827;color:#f9fafb;padding:1rem}
.side a{color:#e5e7eb;text-decoration:none;display:block;padding:.4rem .6rem;border-radius:6px}
.side a:hover,.side a[aria-current=page]{background:#374151;color:#fff}
.side .brand{font-weight:700;font-size:1.2rem;margin:0 0 1rem;color:#fff}
.side ul{list-style:none;margin:0;padding:0}
.side .who{margin-top:2rem;font-size:.85rem;color:#d1d5db;word-break:break-word}
.side form button{margin-top:.5rem}
main{padding:1.5rem 2rem;max-width:72rem}
main.narrow{max-width:34rem;margin:4rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
.card{background:#fff;border-radius:10px;padding:1rem 1.25rem;box-shadow:0 1px 2px #0001;margin-bottom:1rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:1rem}
.tabs{display:flex;gap:.25rem;flex-wrap:wrap;margin:0 0 1rem;padding:0;list-style:none;border-bottom:2px solid #d1d5db}
.tabs a{display:block;padding:.45rem .8rem;text-decoration:none;border-radius:6px 6px 0 0;color:#374151}
.tabs a[aria-current=page]{background:#fff;color:#111827;font-weight:600;border:2px solid #d1d5db;border-bottom-color:#fff;margin-bottom:-2px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{background:#f9fafb;font-weight:600}
caption{text-align:left;font-weight:600;padding:.4rem 0}
.table-wrap{overflow-x:auto;border-radius:8px;box-shadow:0 1px 2px #0001;margin-bottom:1rem}
label{font-weight:600;display:block;margin:.75rem 0 .2rem}
.inline label,label.inline{display:inline;font-weight:400;margin:0}
input[type=text],input[type=url],input[type=search],input[type=number],input:not([type]),select,textarea{font:inherit;padding:.45rem .55rem;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#111827;max-width:100%}
input[type=text],input[type=url],input:not([type]),textarea{width:28rem}
td input[type=text],td select{width:100%;min-width:9rem}
.hint{color:#4b5563;font-size:.9rem;margin:.2rem 0 0}
fieldset{border:1px solid #d1d5db;border-radius:8px;margin:1rem 0;padding:.5rem 1rem 1rem;min-width:0}
legend{font-weight:600;padding:0 .3rem}
button,.button{font:inherit;font-weight:600;padding:.45rem .9rem;border-radius:6px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button:hover,.button:hover{background:#1e40af;color:#fff}
button.secondary,.button.secondary{background:#fff;color:#1d4ed8}
button.secondary:hover,.button.secondary:hover{background:#eff6ff;color:#1e3a8a}
button.danger{background:#b91c1c;border-color:#b91c1c}
button.danger:hover{background:#991b1b}
button.link{background:none;border:none;color:#e5e7eb;padding:.4rem .6rem;font-weight:400;text-decoration:underline}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center;margin-top:1rem}
.row-actions{display:flex;gap:.4rem;flex-wrap:wrap;align-items:center}.row-actions form{margin:0}
.flash{padding:.75rem 1rem;border-radius:8px;margin-bottom:1rem;border:1px solid}
.flash.success{background:#ecfdf5;border-color:#047857;color:#065f46}
.flash.info{background:#eff6ff;border-color:#1d4ed8;color:#1e3a8a}
.flash.warning{background:#fffbeb;border-color:#b45309;color:#78350f}
.flash.danger{background:#fef2f2;border-color:#b91c1c;color:#7f1d1d}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.85rem;font-weight:600;border:1px solid}
.badge.ok{background:#ecfdf5;color:#065f46;border-color:#047857}
.badge.bad{background:#fef2f2;color:#7f1d1d;border-color:#b91c1c}
.badge.wait{background:#fffbeb;color:#78350f;border-color:#b45309}
.badge.neutral{background:#f3f4f6;color:#374151;border-color:#6b7280}
.secret{font-family:ui-monospace,Menlo,Consolas,monospace;background:#111827;color:#f9fafb;padding:.5rem .75rem;border-radius:6px;display:inline-block;word-break:break-all}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
progress{width:100%;height:1.2rem}
.muted{color:#4b5563}
.error-text{color:#b91c1c}
form.inline{display:inline-block;margin:0 0 0 .4rem}
[aria-invalid=true]{border-color:#b91c1c;border-width:2px}
.num{text-align:right;font-variant-numeric:tabular-nums}
.stat{font-size:1.6rem;font-weight:700;display:block}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.signin a.button{display:block;text-align:center;margin:.75rem 0;padding:.75rem}
pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:.85rem}
@media (max-width:800px){.shell{grid-template-columns:1fr}.side{padding:.5rem 1rem}.side ul{display:flex;flex-wrap:wrap;gap:.25rem}main{padding:1rem}input[type=text],input[type=url],input:not([type]),textarea{width:100%}}
`;

/**
 * Copy buttons, "select all" for bulk actions, and live sync progress (polling a small JSON
 * endpoint). A few hundred bytes; nothing else on any page runs script.
 */
export const CONSOLE_JS = `
(function(){
  var live=document.getElementById('live');
  function say(t){if(live){live.textContent='';setTimeout(function(){live.textContent=t},30)}}
  document.addEventListener('click',function(e){
    var b=e.target.closest&&e.target.closest('[data-copy],[data-copy-text]');
    if(!b||!navigator.clipboard)return;
    e.preventDefault();
    var el=document.getElementById(b.getAttribute('data-copy'));
    var text=b.hasAttribute('data-copy-text')?b.getAttribute('data-copy-text'):el?(el.value||el.textContent||'').trim():'';
    navigator.clipboard.writeText(text).then(function(){say('Copied to the clipboard.');b.textContent='Copied'},function(){say('Copy failed: select the text and copy it.')});
  });
  document.querySelectorAll('[data-select-all]').forEach(function(box){
    box.hidden=false;
    box.addEventListener('change',function(){
      document.querySelectorAll('input[name="'+box.getAttribute('data-select-all')+'"]').forEach(function(c){c.checked=box.checked});
    });
  });
  document.querySelectorAll('[data-sync]').forEach(function(row){
    var url=row.getAttribute('data-sync');
    var bar=row.querySelector('progress'),out=row.querySelector('[data-sync-text]'),state=row.querySelector('[data-sync-state]');
    function tick(){
      fetch(url,{headers:{accept:'application/json'},credentials:'same-origin'}).then(function(r){return r.ok?r.json():null}).then(function(s){
        if(!s)return;
        var total=s.total==null?0:s.total;
        if(bar){bar.max=Math.max(total,1);bar.value=total?Math.min(s.done,total):(s.percent===100?1:0)}
        if(out)out.textContent=s.summary;
        if(state){state.textContent=s.stateLabel;if(state.parentElement)state.parentElement.className='badge '+(s.state==='completed'?'ok':s.state==='failed'?'bad':s.live?'wait':'neutral')}
        row.setAttribute('data-state',s.state);
        if(s.live)setTimeout(tick,1000);else if(s.errors&&s.errors.length)location.reload();
      },function(){setTimeout(tick,3000)});
    }
    if(row.getAttribute('data-live')==='true')setTimeout(tick,500);
  });
})();
`;

const etag = (s: string) => `"${createHash('sha256').update(s).digest('base64url').slice(0, 16)}"`;
const CSS_TAG = etag(CONSOLE_CSS);
const JS_TAG = etag(CONSOLE_JS);

export function assetRoutes(): Hono {
  const app = new Hono();
  app.get('/admin/assets/console.css', (c) => c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300', etag: CSS_TAG }));
  app.get('/admin/assets/console.js', (c) => c.body(CONSOLE_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300', etag: JS_TAG }));
  return app;
}

// The sandbox page's look on top of the console stylesheet: a CRM record on the left, the app
// (card or canvas) on the right, each roughly in its platform's style so a newcomer recognises it.
export const SANDBOX_CSS = `
.sandbox-bar{background:#111827;color:#f9fafb;padding:.6rem 1.5rem}
.sandbox-bar a{color:#bfdbfe}
.sandbox-bar h1{display:inline;font-size:1rem;margin:0}
main.sandbox{max-width:84rem;margin:0 auto;padding:1rem 1.5rem}
.pickers{background:#fff;border-radius:10px;padding:.5rem 1rem;box-shadow:0 1px 2px #0001}
.crm{margin-top:1.5rem}
.crm h2{margin-bottom:.5rem}
.hubspot h2{border-left:6px solid #ff7a59;padding-left:.6rem}
.intercom h2{border-left:6px solid #1f8ded;padding-left:.6rem}
.record{display:grid;grid-template-columns:minmax(0,1fr) 26rem;gap:1.25rem;align-items:start}
.record-main{background:#fff;border-radius:10px;padding:1rem 1.25rem;box-shadow:0 1px 2px #0001}
.props{width:auto;min-width:60%}
.props th{width:16rem;font-weight:600;background:none}
.deal{border:1px solid #d1d5db;border-radius:8px;padding:.5rem .9rem;margin:.6rem 0}
.deal select,.deal input[type=text]{margin-right:.4rem}
.conversation{border-left:4px solid #d1d5db;margin:.8rem 0;padding:.2rem .8rem;background:#f9fafb}
.card-title{font-weight:700;margin:0 0 .5rem;font-size:1.05rem}
.hs-card{background:#fff;border:1px solid #cbd6e2;border-radius:4px;padding:1rem;font-size:.95rem;color:#33475b}
.hs-flex{display:flex;gap:.6rem}.hs-col{flex-direction:column}.hs-row{flex-direction:row;flex-wrap:wrap;align-items:center}
.hs-heading{margin:.2rem 0;font-size:1rem;color:#33475b}
.hs-text{margin:0}.hs-micro{font-size:.82rem;color:#516f90}.hs-strong{font-weight:600}
.hs-card a{color:#0068b1;word-break:break-all}
.hs-button{font:inherit;font-size:.9rem;font-weight:600;border-radius:3px;padding:.35rem .8rem;cursor:pointer;border:1px solid #cbd6e2;background:#eaf0f6;color:#33475b}
.hs-button.hs-primary{background:#425b76;border-color:#425b76;color:#fff}
.hs-button.hs-destructive{background:#d94c53;border-color:#d94c53;color:#fff}
.hs-button.hs-small{padding:.15rem .55rem;font-size:.82rem}
.hs-button[disabled]{opacity:.55;cursor:not-allowed}
.hs-buttonrow{display:flex;gap:.5rem;flex-wrap:wrap}
.hs-statistics{display:flex;gap:1.2rem;flex-wrap:wrap;margin:.4rem 0}
.hs-stat{display:flex;flex-direction:column}.hs-stat-label{font-size:.8rem;color:#516f90}.hs-stat-number{font-size:1.25rem;font-weight:700}
.hs-tag{display:inline-block;border-radius:3px;padding:0 .45rem;font-size:.8rem;font-weight:600;border:1px solid #7c98b6;background:#f5f8fa}
.hs-tag-success{background:#e5f8f6;border-color:#00a38d;color:#00594d}
.hs-tag-warning{background:#fef8f0;border-color:#c97b00;color:#6b4200}
.hs-tag-danger{background:#fde8e9;border-color:#d94c53;color:#8a1d22}
.hs-alert{border-left:4px solid #0091ae;background:#e5f5f8;padding:.5rem .7rem}
.hs-alert-danger{border-color:#d94c53;background:#fde8e9}.hs-alert-warning{border-color:#c97b00;background:#fef8f0}.hs-alert-success{border-color:#00a38d;background:#e5f8f6}
.hs-state{text-align:center;padding:.5rem}
.hs-table{font-size:.88rem}.hs-table th,.hs-table td{padding:.3rem .4rem}
.hs-field label{margin:.3rem 0 .15rem;font-size:.88rem}
.hs-field textarea{width:100%;font:inherit}
.hs-card hr{border:0;border-top:1px solid #cbd6e2;margin:.6rem 0}
.ic-canvas{background:#fff;border:1px solid #e5e7eb;border-radius:12px;padding:1rem;box-shadow:0 2px 6px #0001;font-size:.95rem}
.ic-header{margin:.2rem 0 .4rem;font-size:1rem}
.ic-text{margin:.25rem 0}
.ic-table{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:.5rem 0}
.ic-table dt{color:#4b5563}.ic-table dd{margin:0;font-weight:600;word-break:break-all}
.ic-list{list-style:none;padding:0;margin:.4rem 0}.ic-list li{padding:.35rem 0;border-bottom:1px solid #f3f4f6}
.ic-button{display:block;width:100%;margin:.4rem 0;text-align:center;font:inherit;font-weight:600;border-radius:8px;padding:.45rem;cursor:pointer;border:1px solid #1f2937;background:#1f2937;color:#fff;text-decoration:none}
.ic-button.ic-secondary{background:#fff;color:#1f2937}
.ic-button.ic-link{background:none;border:none;color:#1d4ed8;text-decoration:underline}
.ic-button[disabled]{opacity:.5}
.ic-field textarea,.ic-field input,.ic-field select{width:100%}
.ic-spacer{height:.6rem}
.ic-item{all:unset;display:block;width:100%;cursor:pointer;border-radius:6px;padding:.2rem .3rem}.ic-item:hover{background:#f3f4f6}.ic-item:focus-visible{outline:3px solid #2563eb}
@media (max-width:900px){.record{grid-template-columns:1fr}}
`;

import type { LintWarning } from '../rendering/lint.js';
import { escapeHtml } from '../rendering/render.js';

/** Everything the approval page shows about the version the link is for. */
export interface ApprovalPageView {
  executiveName: string;
  subject: string;
  body: string;
  from: string;
  recipients: number;
  version: number;
  expiresAt: Date;
  previewUrl: string;
  warnings: LintWarning[];
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f2933}
pre{white-space:pre-wrap;background:#f5f7fa;padding:1rem;border-radius:6px}dt{font-weight:600}
button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #52606d;cursor:pointer}
.approve{background:#0b6e4f;color:#fff;border-color:#0b6e4f}.warn{color:#8a4b00}</style></head>
<body>${content}</body></html>`;
}

/** The summary and Approve / Reject form behind an approval link; the form posts back to the link itself. */
export function approvalPage(view: ApprovalPageView): string {
  const warnings =
    view.warnings.length === 0
      ? '<p>The content check found nothing to warn about.</p>'
      : `<ul class="warn">${view.warnings
          .map(
            (w) =>
              `<li><strong>${escapeHtml(w.rule)}</strong>: ${escapeHtml(w.excerpt)} — ${escapeHtml(w.suggestion)}</li>`,
          )
          .join('')}</ul>`;
  return page(
    `Approve: ${view.subject}`,
    `<h1>Approve this e-mail?</h1>
<p>${escapeHtml(view.executiveName)}, this e-mail goes out under your name. Approving approves exactly this
version (${view.version}); any later change needs your approval again.</p>
<dl><dt>From</dt><dd>${escapeHtml(view.from)}</dd>
<dt>Subject</dt><dd>${escapeHtml(view.subject)}</dd>
<dt>Recipients</dt><dd>${view.recipients}</dd>
<dt>Link valid until</dt><dd>${escapeHtml(view.expiresAt.toISOString().replace('T', ' ').slice(0, 16))} UTC</dd></dl>
<h2>Text</h2>
<p><code>{{minutes_affected}}</code> becomes each customer's own minutes of disruption.
<a href="${escapeHtml(view.previewUrl)}">See it as a customer will (sign-in needed)</a>.</p>
<pre>${escapeHtml(view.body)}</pre>
<h2>Content check</h2>${warnings}
<form method="post">
<p><label>Reason (if you reject)<br><textarea name="reason" rows="3" cols="60"></textarea></label></p>
<button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="reject">Reject</button>
</form>`,
  );
}

/** A plain page saying what happened to the link, or why it cannot be used. */
export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

// The auditor's evidence pack as one self-contained HTML page (issue 13, part 6): the run's outcome, the
// timeline of every evidence event (seq, time, kind, actor, credential, provider request id, chain
// hash), the controls the containment exercised with the events that prove each (export/frameworks.ts),
// the chain digest and its signature, how to check the pack with `cordon evidence verify`, and the JSON
// pack itself embedded verbatim (a `<script type="application/json">` block that is never executed)
// so the page alone is enough. Inline CSS, no script, no network: a Content-Security-Policy forbids any
// fetch, as in the drill report. Pure: run in, string out; every piece of text is escaped.
import type { ExportRun } from '../export/events.ts';
import { controlReport, FRAMEWORKS, type ControlEntry } from '../export/frameworks.ts';
import { escapeHtml } from './drill-html.ts';

const STATUS_LABEL: Record<ControlEntry['status'], string> = { met: 'met', partly_met: 'partly met', not_met: 'not met' };

function timeline(run: ExportRun): string {
  const rows = run.events
    .map(
      (e) =>
        `<tr class="event" id="seq-${e.seq}" data-seq="${e.seq}" data-kind="${escapeHtml(e.kind)}" data-succeeded="${e.succeeded}">` +
        `<td class="num">${e.seq}</td><td><time>${escapeHtml(e.at)}</time></td><td>${escapeHtml(e.kind.replaceAll('_', ' '))}</td>` +
        `<td>${escapeHtml(e.actor)}</td><td>${escapeHtml(e.summary)}</td>` +
        `<td class="mono">${escapeHtml(e.requestId ?? '')}</td><td class="mono" title="${escapeHtml(e.hash ?? '')}">${escapeHtml(e.hash ? e.hash.slice(0, 12) : '')}</td></tr>`,
    )
    .join('\n');
  return `<table id="timeline"><thead><tr><th>seq</th><th>time</th><th>event</th><th>actor</th><th>what happened</th><th>provider request</th><th>hash</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function controls(entries: ControlEntry[]): string {
  const rows = entries
    .map(
      (c) =>
        `<tr class="control" data-framework="${escapeHtml(c.framework)}" data-control="${escapeHtml(c.id)}" data-status="${c.status}">` +
        `<td>${escapeHtml(FRAMEWORKS[c.framework].short)}</td><td class="mono">${escapeHtml(c.id)}</td><td>${escapeHtml(c.title)}</td>` +
        `<td class="status ${c.status}">${STATUS_LABEL[c.status]}</td>` +
        `<td>${c.events.map((e) => `<a href="#seq-${e.seq}" class="${e.succeeded ? 'ok' : 'failed'}">${e.seq}</a>`).join(' ')}</td></tr>`,
    )
    .join('\n');
  return `<table id="controls"><thead><tr><th>framework</th><th>control</th><th>title</th><th>status</th><th>proved by events (seq)</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function seal(run: ExportRun): string {
  const s = run.seal;
  const digest = run.digest ?? s?.digest;
  if (!digest) return `<p id="seal" data-signed="false">This run finished before evidence was chained: it has no digest or signature to check.</p>`;
  const signed = s?.signed === true;
  return (
    `<dl id="seal" data-signed="${signed}">` +
    `<dt>Chain digest (SHA-256 of the last event)</dt><dd class="mono" id="digest">${escapeHtml(digest)}</dd>` +
    (signed
      ? `<dt>Signature (Ed25519)</dt><dd class="mono" id="signature">${escapeHtml(s.signature)}</dd>` +
        `<dt>Public key (base64url) · key id</dt><dd class="mono">${escapeHtml(s.publicKey)} · ${escapeHtml(s.keyId)}</dd>`
      : `<dt>Signature</dt><dd id="signature">none: ${escapeHtml(s && !s.signed ? s.reason : 'the run is not sealed')}</dd>`) +
    `</dl>`
  );
}

/**
 * The page. `packJson` is the JSON pack (the `EvidencePack` of schemas/evidence.ts, or the status export
 * of a run that has none), embedded as is so an auditor can save it and check it.
 */
export function renderEvidenceHtml(run: ExportRun, packJson: string): string {
  const entries = controlReport(run.events);
  const frameworks = new Set(entries.map((c) => c.framework));
  // `<` is escaped inside the JSON so no string in it can close the script element.
  const embedded = packJson.replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Cordon evidence pack · ${escapeHtml(run.incidentId)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1f2933; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
th { background: #f5f7fa; } .num { text-align: right; } .mono { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
tr[data-succeeded="false"] td { color: #ab091e; } .status.met { color: #147d64; } .status.partly_met { color: #b44d12; } .status.not_met { color: #ab091e; }
a.failed { color: #ab091e; } #outcome { font-weight: 600; } pre { background: #f5f7fa; padding: 8px; overflow-x: auto; }
</style>
</head>
<body>
<h1>Evidence pack · incident ${escapeHtml(run.incidentId)}</h1>
<p>Containment <span class="mono">${escapeHtml(run.workflowId)}</span> · started ${escapeHtml(run.startedAt)}${run.finishedAt ? ` · finished ${escapeHtml(run.finishedAt)}` : ''} · outcome <span id="outcome" data-outcome="${escapeHtml(run.outcome)}">${escapeHtml(run.outcome.replaceAll('_', ' '))}</span>${run.outcomeReason ? ` — ${escapeHtml(run.outcomeReason)}` : ''}</p>
${run.planDigest ? `<p>Plan digest (what approvals were bound to): <span class="mono">${escapeHtml(run.planDigest)}</span></p>` : ''}
<h2>Timeline (${run.events.length} events)</h2>
${timeline(run)}
<h2>Controls exercised (${entries.length}, across ${frameworks.size} frameworks)</h2>
<p>Each control lists the events that prove it; a control is met when every one of them succeeded. The mapping and its sources are in Cordon's docs/evidence-export.md.</p>
${controls(entries)}
<h2>Integrity</h2>
${seal(run)}
<h2 id="verify">How to verify</h2>
<ol>
<li>Save the JSON pack below (or the <span class="mono">--format json</span> export) as <span class="mono">pack.json</span>.</li>
<li>Run <span class="mono">cordon evidence verify pack.json</span>: it recomputes every event's hash from the first to the last, checks each event names the previous one's hash, that the last hash is the digest above, and that the signature over <span class="mono">cordon-evidence-v1:&lt;digest&gt;</span> verifies with the public key above. One changed byte fails it.</li>
<li>Compare the public key with the one your Cordon operators published for this worker.</li>
</ol>
<h2>JSON pack</h2>
<script type="application/json" id="pack">${embedded}</script>
<pre>${escapeHtml(packJson)}</pre>
</body>
</html>
`;
}

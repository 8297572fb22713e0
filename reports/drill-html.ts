// The drill report for people: one self-contained HTML page (inline CSS and SVG, no script, no
// network: a Content-Security-Policy forbids any fetch), with a timeline of each credential's states
// and the approval waits, then the checks against the targets. Pure: report in, string out. Every
// piece of text is escaped; the report carries no secrets (statuses never do, I5).
import type { CredentialState } from '../schemas/containment.ts';
import { evidenceSummaryText } from '../schemas/evidence-text.ts';
import type { DrillReport } from '../schemas/drill.ts';
import { formatMs } from '../drills/grade.ts';

/** The style every Cordon HTML report shares (the drill report, the rotation report). */
export const REPORT_CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2933;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:700}
.verdict.pass{background:#27ab83}.verdict.fail{background:#e12d39}
.meta{color:#52606d}code{font-size:12px;color:#3e4c59}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e4e7eb;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600}td.ok{color:#147d64;font-weight:600}td.bad{color:#ab091e;font-weight:600}
.empty{color:#52606d;font-style:italic}.note{font-size:12px;color:#8d2b0b}`;

/** A report page's head: no script and no network (the Content-Security-Policy forbids any fetch), the shared style plus `css`. */
export function reportHead(title: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${REPORT_CSS}
${css}
</style>
</head>`;
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const STATE_COLOR: Record<CredentialState, string> = {
  identified: '#9aa5b1',
  revoke_requested: '#f0b429',
  revoked: '#de911d',
  replaced: '#2186eb',
  reauth_forced: '#7b61ff',
  verified_dead: '#27ab83',
  cut_off: '#f7c948',
  not_contained: '#e12d39',
};
const STATE_LABEL: Record<CredentialState, string> = {
  identified: 'identified',
  revoke_requested: 'revoke requested',
  revoked: 'revoked',
  replaced: 'replaced',
  reauth_forced: 're-auth forced',
  verified_dead: 'verified dead',
  cut_off: 'cut off in tenant',
  not_contained: 'not contained',
};

const LABEL_W = 300;
const CHART_W = 640;
const ROW_H = 34;

function timeline(r: DrillReport): string {
  const lastOffset = Math.max(
    r.durationMs ?? 0,
    ...r.credentials.flatMap((c) => c.timeline.map((t) => t.offsetMs)),
    ...r.approvals.map((a) => a.requestedOffsetMs + a.waitMs),
    1,
  );
  const x = (ms: number) => LABEL_W + (Math.max(0, ms) / lastOffset) * CHART_W;
  const rows: string[] = [];
  let y = 30;
  for (const c of r.credentials) {
    const segments = c.timeline.map((t, i) => {
      const end = c.timeline[i + 1]?.offsetMs ?? lastOffset;
      const w = Math.max(3, x(end) - x(t.offsetMs));
      return (
        `<rect class="segment" data-state="${escapeHtml(t.state)}" x="${x(t.offsetMs).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW_H - 12}" rx="3" fill="${STATE_COLOR[t.state]}">` +
        `<title>${escapeHtml(`${STATE_LABEL[t.state]} at +${formatMs(t.offsetMs)} (${t.at})`)}</title></rect>`
      );
    });
    rows.push(
      `<g class="credential-row" data-credential-id="${escapeHtml(c.credentialId)}" data-final-state="${escapeHtml(c.finalState)}">` +
        `<text x="8" y="${y + 15}" class="row-label">${escapeHtml(truncate(`${c.provider} · ${c.label}`, 44))}<title>${escapeHtml(`${c.label} [${c.credentialId}]`)}</title></text>` +
        segments.join('') +
        `</g>`,
    );
    y += ROW_H;
  }
  for (const a of r.approvals) {
    const w = Math.max(3, x(a.requestedOffsetMs + a.waitMs) - x(a.requestedOffsetMs));
    rows.push(
      `<g class="approval-row" data-stage="${escapeHtml(a.stage)}">` +
        `<text x="8" y="${y + 15}" class="row-label">${escapeHtml(truncate(`approval · ${a.stage}`, 44))}</text>` +
        `<rect class="approval-wait" x="${x(a.requestedOffsetMs).toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW_H - 20}" rx="3" fill="#f7c948" stroke="#b44d12" stroke-dasharray="4 2">` +
        `<title>${escapeHtml(`waited ${formatMs(a.waitMs)}: ${a.outcome}${a.deciders.length ? ` by ${a.deciders.join(', ')}` : ''}`)}</title></rect>` +
        `</g>`,
    );
    y += ROW_H;
  }
  const ticks: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const ms = (lastOffset * i) / 4;
    ticks.push(`<line x1="${x(ms)}" y1="22" x2="${x(ms)}" y2="${y}" class="tick"/><text x="${x(ms)}" y="16" class="tick-label" text-anchor="middle">+${escapeHtml(formatMs(ms))}</text>`);
  }
  const legend = (Object.keys(STATE_COLOR) as CredentialState[])
    .map((s, i) => `<rect x="${8 + i * 128}" y="${y + 14}" width="12" height="12" fill="${STATE_COLOR[s]}"/><text x="${24 + i * 128}" y="${y + 24}" class="legend">${escapeHtml(STATE_LABEL[s])}</text>`)
    .join('');
  const height = y + 40;
  return (
    `<svg id="timeline" role="img" aria-label="Timeline of each credential's states and the approval waits" width="${LABEL_W + CHART_W + 20}" height="${height}" viewBox="0 0 ${LABEL_W + CHART_W + 20} ${height}" xmlns="http://www.w3.org/2000/svg">` +
    ticks.join('') +
    rows.join('') +
    legend +
    `</svg>`
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function table(id: string, head: string[], rows: string[][], empty: string): string {
  if (!rows.length) return `<p id="${id}" class="empty">${escapeHtml(empty)}</p>`;
  return (
    `<table id="${id}"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.join('')}</tr>`).join('') +
    `</tbody></table>`
  );
}
export const td = (v: unknown, cls?: string) => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(v)}</td>`;

/** A watch drill: the verdict the pass gave, in the responder's words, and the containment it opened. */
function watchSection(w: NonNullable<DrillReport['watch']>): string {
  const head = w.verdictId ? `score ${w.score} (${w.severity}) · ${w.triggers.join(', ')}` : 'no verdict';
  return (
    `<h2>Drift watch verdict</h2>\n<section id="watch"><p class="meta">token <code>${escapeHtml(w.tokenKey)}</code> · ${escapeHtml(head)}` +
    `${w.containment ? ` · containment <code>${escapeHtml(w.containment)}</code>` : ''}</p>` +
    `<ul>${w.reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul></section>\n`
  );
}

export function renderDrillHtml(r: DrillReport): string {
  const pass = r.verdict === 'pass';
  const checks = table(
    'checks',
    ['', 'check', 'actual', 'target'],
    r.checks.map((c) => [td(c.ok ? 'ok' : 'FAIL', c.ok ? 'ok' : 'bad'), td(c.description), td(c.actual), td(c.limit)]),
    'no checks',
  );
  const creds = table(
    'credentials',
    ['credential', 'provider', 'final state', 'expected', 'time to revoke', 'time to verified dead', 'replacements', 'fallbacks'],
    r.credentials.map((c) => [
      `<td>${escapeHtml(c.label)}<br><code>${escapeHtml(c.credentialId)}</code>${c.expectedReason ? `<br><span class="note">known limit: ${escapeHtml(c.expectedReason)}</span>` : ''}</td>`,
      td(c.provider),
      td(STATE_LABEL[c.finalState], c.finalState === 'verified_dead' ? 'ok' : 'bad'),
      td(c.expected === 'verified_dead' ? 'verified dead' : c.expected === 'cut_off' ? 'cut off in tenant (owner must delete)' : 'not contained (known limit)'),
      td(c.timeToRevokeMs !== undefined ? formatMs(c.timeToRevokeMs) : '—'),
      td(c.timeToVerifiedDeadMs !== undefined ? formatMs(c.timeToVerifiedDeadMs) : '—'),
      td(c.replacements),
      td(c.fallbacksUsed.join(' → ') || '—'),
    ]),
    'no credentials were identified',
  );
  const approvals = table(
    'approvals',
    ['stage', 'requested', 'waited', 'outcome', 'by', 'escalated'],
    r.approvals.map((a) => [td(a.stage), td(`+${formatMs(a.requestedOffsetMs)}`), td(formatMs(a.waitMs)), td(a.outcome), td(a.deciders.join(', ') || '—'), td(a.escalated ? 'yes' : 'no')]),
    'no approvals were needed',
  );
  const broken = table(
    'broken-consumers',
    ['consumer', 'credential', 'why'],
    r.brokenConsumers.map((b) => [`<td>${escapeHtml(b.consumerName)}<br><code>${escapeHtml(b.consumerId)}</code></td>`, `<td><code>${escapeHtml(b.credentialId)}</code></td>`, td(b.reason)]),
    'every consumer received a replacement',
  );
  const fallbacks = table(
    'fallback-steps',
    ['step', 'outcome', 'credential', 'detail'],
    r.fallbackSteps.map((f) => [td(f.step), td(f.outcome), `<td><code>${escapeHtml(f.credentialId ?? '—')}</code></td>`, td(f.detail ?? '')]),
    'no step needed a fallback',
  );
  const title = `Cordon drill ${r.drill}: ${pass ? 'PASS' : 'FAIL'}`;
  return `${reportHead(title, 'svg .row-label{font-size:12px;fill:#1f2933}svg .tick{stroke:#e4e7eb}svg .tick-label,svg .legend{font-size:11px;fill:#52606d}')}
<body>
<header>
<h1>Drill <span id="drill-name">${escapeHtml(r.drill)}</span> <span id="verdict" class="verdict ${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span></h1>
<p class="meta">${escapeHtml(r.description)}</p>
<p class="meta">Outcome <strong id="outcome">${escapeHtml(r.outcome)}</strong>${r.outcomeReason ? ` — ${escapeHtml(r.outcomeReason)}` : ''}<br>
mode ${escapeHtml(r.mode)} · started ${escapeHtml(r.startedAt)}${r.durationMs !== undefined ? ` · took ${escapeHtml(formatMs(r.durationMs))}` : ''}<br>
workflow <code>${escapeHtml(r.workflowId)}</code> · incident <code>${escapeHtml(r.incidentId)}</code>${r.planDigest ? ` · plan digest <code>${escapeHtml(r.planDigest)}</code>` : ''}<br>
<span id="evidence-seal">${escapeHtml(evidenceSummaryText(r.evidenceSeal))}</span></p>
</header>
${r.watch ? watchSection(r.watch) : ''}<h2>Timeline</h2>
${timeline(r)}
<h2>Checks against the targets</h2>
${checks}
<h2>Credentials</h2>
${creds}
<h2>Approval waits</h2>
${approvals}
<h2>Consumers that would break</h2>
${broken}
<h2>Steps that needed a fallback</h2>
${fallbacks}
</body>
</html>
`;
}

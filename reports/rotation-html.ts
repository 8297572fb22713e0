// The rotation run report for people: one self-contained HTML page in the drill report's style (inline CSS, no
// script, no network: a Content-Security-Policy forbids any fetch). What was rotated, what waits for its consumers,
// what was held or failed and why, what the plan skipped. Pure: report in, string out; every text escaped.
import type { RotationRunReport, RotationState } from '../schemas/rotation.ts';
import { escapeHtml, reportHead, table, td } from './drill-html.ts';
import { rotationEventText } from './rotation-text.ts';

const GOOD: readonly RotationState[] = ['rotated'];
const BAD: readonly RotationState[] = ['failed', 'held', 'revoked_at_deadline', 'rejected'];


export function renderRotationHtml(r: RotationRunReport): string {
  const stateOf = (e: RotationRunReport['entries'][number]) => (e.start === 'planned' ? 'would rotate' : e.start === 'already_running' ? 'already rotating' : (e.result?.state ?? 'started'));
  const rotations = table(
    'rotations',
    ['credential', 'policy', 'state', 'consumers', 'why', 'evidence'],
    r.entries.map((e) => {
      const state = stateOf(e);
      const cls = e.result && GOOD.includes(e.result.state) ? 'ok' : e.result && BAD.includes(e.result.state) ? 'bad' : undefined;
      return [
        `<td>${escapeHtml(e.label)}<br><code>${escapeHtml(e.credentialId)}</code></td>`,
        td(e.policy),
        `<td${cls ? ` class="${cls}"` : ''} data-state="${escapeHtml(state)}">${escapeHtml(state)}</td>`,
        td((e.result?.consumers ?? []).map((c) => `${c.consumerId}: ${c.switched ? 'switched' : c.replacementId ? 'not seen on its replacement' : 'no replacement'}`).join('; ') || '—'),
        td(e.result?.reason ?? e.error ?? ''),
        `<td><ol class="evidence">${(e.result?.evidence ?? []).map((ev) => `<li><code>${escapeHtml(ev.at)}</code> ${escapeHtml(rotationEventText(ev))}</li>`).join('')}</ol></td>`,
      ];
    }),
    r.dryRun ? 'nothing is due' : 'nothing was due',
  );
  const skipped = table(
    'skipped',
    ['credential', 'policy', 'why'],
    r.plans.flatMap((p) => p.skipped.map((s) => [`<td>${escapeHtml(s.label)}<br><code>${escapeHtml(s.credentialId)}</code></td>`, td(s.policy), td(s.reason)])),
    'no due credential was skipped',
  );
  const policies = table(
    'policies',
    ['policy', 'provider', 'due', 'not due', 'skipped', 'blind spots'],
    r.plans.map((p) => [td(p.policy), td(p.provider), td(p.error ? `not planned: ${p.error}` : p.due.length, p.error ? 'bad' : undefined), td(p.notDue), td(p.skipped.length), td(p.blindSpots.join('; '))]),
    'no policy',
  );
  const counts = (s: RotationState) => r.entries.filter((e) => e.result?.state === s).length;
  const title = `Cordon rotation ${r.dryRun ? 'plan' : 'report'} ${r.runId}`;
  return `${reportHead(title, 'ol.evidence{margin:0;padding-left:18px;font-size:12px}')}
<body>
<header>
<h1>${escapeHtml(r.dryRun ? 'Rotation plan (dry run: nothing written)' : 'Rotation report')}</h1>
<p class="meta">run <code>${escapeHtml(r.runId)}</code> · ${escapeHtml(r.startedAt)} → ${escapeHtml(r.finishedAt)}<br>
<span id="summary">${r.dryRun ? `${r.entries.length} would be rotated` : `${counts('rotated')} rotated · ${counts('held')} held · ${counts('revoked_at_deadline')} revoked at the deadline · ${counts('failed')} failed · ${r.entries.filter((e) => e.start === 'already_running').length} already rotating`}</span></p>
</header>
<h2>Policies</h2>
${policies}
<h2>Rotations</h2>
${rotations}
<h2>Due but not rotated</h2>
${skipped}
</body>
</html>
`;
}

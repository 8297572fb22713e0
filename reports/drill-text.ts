// The drill report as text for the terminal: verdict, per-credential times, approval waits,
// consumers that would break, fallbacks, then each check. Pure.
import type { DrillReport } from '../schemas/drill.ts';
import { formatMs } from '../drills/grade.ts';
import { evidenceSummaryText } from '../schemas/evidence-text.ts';

export function renderDrillText(r: DrillReport, options: { color?: boolean } = {}): string {
  const c = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const lines = [
    `Drill ${r.drill}: ${r.verdict === 'pass' ? c(32, 'PASS') : c(31, 'FAIL')}`,
    `  ${r.description}`,
    `  outcome ${r.outcome}${r.outcomeReason ? ` — ${r.outcomeReason}` : ''} · mode ${r.mode}${r.durationMs !== undefined ? ` · ${formatMs(r.durationMs)}` : ''}`,
    `  workflow ${r.workflowId}`,
    `  ${evidenceSummaryText(r.evidenceSeal)}`,
    '',
    'Credentials (time from start)',
  ];
  for (const cr of r.credentials) {
    lines.push(`  ${cr.label} [${cr.credentialId}] → ${cr.finalState}${cr.expected !== 'verified_dead' ? ` (expected ${cr.expected}: ${cr.expectedReason})` : ''}`);
    lines.push(`    ${cr.timeline.map((t) => `${t.state} +${formatMs(t.offsetMs)}`).join(' · ')}`);
  }
  if (r.approvals.length) {
    lines.push('', 'Approval waits');
    for (const a of r.approvals) lines.push(`  ${a.stage}: ${formatMs(a.waitMs)} → ${a.outcome}${a.deciders.length ? ` by ${a.deciders.join(', ')}` : ''}${a.escalated ? ' (escalated)' : ''}`);
  }
  if (r.brokenConsumers.length) {
    lines.push('', 'Consumers that would break (no replacement)');
    for (const b of r.brokenConsumers) lines.push(`  ${b.consumerName} (${b.consumerId}) of ${b.credentialId}: ${b.reason}`);
  }
  if (r.fallbackSteps.length) {
    lines.push('', 'Steps that needed a fallback');
    for (const f of r.fallbackSteps) lines.push(`  ${f.step} ${f.outcome}${f.credentialId ? ` · ${f.credentialId}` : ''}${f.detail ? ` — ${f.detail}` : ''}`);
  }
  if (r.watch) {
    lines.push('', `Drift watch verdict on ${r.watch.tokenKey}: ${r.watch.verdictId ? `score ${r.watch.score} (${r.watch.severity}), ${r.watch.triggers.join(', ')}` : 'none'}`);
    for (const reason of r.watch.reasons) lines.push(`  - ${reason}`);
  }
  lines.push('', 'Checks');
  for (const k of r.checks) lines.push(`  ${k.ok ? c(32, 'ok  ') : c(31, 'FAIL')} ${k.description}: ${k.actual} (target ${k.limit})`);
  return lines.join('\n');
}

// The rotation run report in words (docs/rotation.md), and each rotation event as a sentence: the one place the
// typed rotation evidence becomes text. Pure: report in, string out. Reports carry no secret (fingerprints only).
import { authenticationText } from '../schemas/evidence-text.ts';
import type { RotationEvent, RotationRunReport } from '../schemas/rotation.ts';

export function rotationEventText(e: RotationEvent): string {
  switch (e.kind) {
    case 'planned':
      return `planned under ${e.policy} (max age ${e.maxAge}${e.ageDays !== undefined ? `, ${e.ageDays} days old` : ''}): staged order — one replacement per consumer (${e.consumers.join(', ')}), wait for the switch, then revoke. Revoke-first (I1) is for a stolen credential; nothing is known stolen here`;
    case 'approval_requested':
      return `approval asked of ${e.approvers.join(', ')}`;
    case 'approval_decided':
      return `${e.decision === 'approve' ? 'approved' : 'rejected'} by ${e.approver}${e.channel ? ` via ${e.channel} (${authenticationText({ ...e, channel: e.channel })})` : ''}${e.reason ? `: ${e.reason}` : ''}`;
    case 'approval_refused':
      return `decision by ${e.approver} REFUSED via ${e.channel} (${authenticationText(e)}): ${e.reason}`;
    case 'window_wait':
      return `waiting for the maintenance window at ${e.until}`;
    case 'replacement_delivered':
      return `replacement ${e.replacementId} (sha256 ${e.fingerprint}…) delivered to ${e.consumerId} at ${e.sink}${e.note ? ` (${e.note})` : ''}`;
    case 'replacement_owned_elsewhere':
      return `${e.consumerId}'s replacement belongs to ${e.ownedBy}: left alone`;
    case 'switch_unobservable':
      return `the switch cannot be observed: ${e.reason}`;
    case 'switch_seen':
      return `switch seen (${e.source}): old last used ${e.old.lastUsedAt ?? 'never'}; ${e.replacements.map((r) => `${r.credentialId} last used ${r.lastUsedAt ?? 'never'}`).join('; ')}`;
    case 'deadline_reached':
      return `switch deadline reached, waiting for ${e.waitingFor.join(', ') || 'the old credential to fall silent'}${e.old?.lastUsedAt ? ` (old last used ${e.old.lastUsedAt})` : ''}: ${e.action === 'revoke' ? 'revoking anyway' : 'holding and escalating'}`;
    case 'escalated':
      return `escalated: ${e.summary}`;
    case 'revoked':
      return `old credential revoked (${e.outcome}${e.requestId ? `, request ${e.requestId}` : ''})`;
    case 'verified':
      return `verified: old credential ${e.oldActive ? 'STILL ACTIVE' : 'gone'}${e.othersActive ? `; ${e.othersActive} other credential(s) of the principal not made by Cordon remain (untouched)` : ''}`;
    case 'failed':
      return `failed at ${e.step}: ${e.error}`;
  }
}

export function rotationReportText(r: RotationRunReport): string {
  const lines = [`rotation run ${r.runId}${r.dryRun ? ' (dry run: nothing written)' : ''} ${r.startedAt} → ${r.finishedAt}`];
  for (const p of r.plans) {
    lines.push(`  policy ${p.policy} (${p.provider}): ${p.error ? `not planned: ${p.error}` : `${p.due.length} due, ${p.notDue} not due, ${p.skipped.length} skipped`}`);
    for (const s of p.skipped) lines.push(`    skipped ${s.label} [${s.credentialId}]: ${s.reason}`);
  }
  for (const e of r.entries) {
    const state = e.start === 'planned' ? 'would rotate' : e.start === 'already_running' ? 'already rotating (left to its run)' : (e.result?.state ?? 'started');
    lines.push(`  ${e.error ? 'FAILED' : state.toUpperCase()} ${e.label} [${e.credentialId}] policy ${e.policy}${e.result?.reason ? `: ${e.result.reason}` : ''}${e.error ? `: ${e.error}` : ''}`);
    for (const ev of e.result?.evidence ?? []) lines.push(`    ${ev.at} ${rotationEventText(ev)}`);
  }
  if (!r.entries.length) lines.push('  nothing due');
  return lines.join('\n');
}

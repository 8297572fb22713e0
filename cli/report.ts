// The readable containment report: what was found, what was revoked, replaced and re-authenticated,
// what was verified dead, with the time of each step. Pure: takes a status, returns text.
import type { ContainmentStatus, CredentialState } from '../schemas/containment.ts';
import { credentialKey } from '../schemas/credential.ts';
import { evidenceLabel, evidenceSummary, evidenceSummaryText, evidenceText } from '../schemas/evidence-text.ts';

const STATE_LABEL: Record<CredentialState, string> = {
  identified: 'identified',
  revoke_requested: 'revoke requested',
  revoked: 'revoked (acknowledged)',
  replaced: 'replaced',
  reauth_forced: 're-auth forced',
  verified_dead: 'VERIFIED DEAD',
  cut_off: 'CUT OFF (owner must delete)',
  not_contained: 'NOT CONTAINED',
};

function clock(iso: string, start: string): string {
  const ms = Date.parse(iso) - Date.parse(start);
  return `${new Date(iso).toISOString().slice(11, 23)} (+${(ms / 1000).toFixed(2)}s)`;
}

export function renderReport(s: ContainmentStatus, options: { color?: boolean } = {}): string {
  const c = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const lines: string[] = [];
  const verdict =
    s.outcome === 'contained' ? c(32, 'CONTAINED') : s.outcome === 'contained_in_tenant' ? c(33, 'CONTAINED IN TENANT') : s.outcome === 'running' ? c(33, 'RUNNING') : c(31, s.outcome.toUpperCase().replace('_', ' '));
  lines.push(`Containment ${s.workflowId}`);
  lines.push(`  incident ${s.incidentId} · mode ${s.mode} · outcome ${verdict}${s.outcomeReason ? ` — ${s.outcomeReason}` : ''}`);
  lines.push(`  started ${s.startedAt}${s.finishedAt ? ` · finished ${s.finishedAt} (${((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000).toFixed(2)}s)` : ''}`);
  if (s.plan) lines.push(`  plan digest ${s.plan.digest.slice(0, 16)}… · ${s.plan.actions.length} actions · ${s.plan.waves} wave(s)`);

  lines.push('', 'Found');
  for (const r of s.scope) {
    lines.push(`  ${r.ref}: ${r.credentials.length} live credential(s)`);
    for (const cred of r.credentials) {
      lines.push(`    - ${cred.label} [${cred.id}] ${cred.kind}, owner ${cred.principal.displayName} (${cred.principal.type}, ${cred.principal.status})`);
      lines.push(`      scopes: ${cred.scopes.join(' ') || '—'} · last used ${cred.lastUsedAt ?? 'unknown'} · consumers: ${cred.consumers.map((x) => x.name).join(', ') || 'none'}`);
    }
    for (const sa of r.relatedServiceAccounts) lines.push(`    related service account: ${sa.displayName} (${sa.id})`);
    for (const f of r.riskFlags) lines.push(`    risk: ${f}`);
    for (const b of r.blindSpots) lines.push(`    could not see: ${b}`);
  }

  lines.push('', 'Credentials');
  for (const p of s.credentials) {
    const state = p.state === 'verified_dead' ? c(32, STATE_LABEL[p.state]) : p.state === 'not_contained' ? c(31, STATE_LABEL[p.state]) : STATE_LABEL[p.state];
    lines.push(`  ${p.label} [${p.credentialId}] → ${state}`);
    for (const t of p.transitions) lines.push(`    ${clock(t.at, s.startedAt)}  ${STATE_LABEL[t.state]}`);
    for (const r of p.replacements) lines.push(`    replacement for ${r.consumerId}: ${r.replacementId} → ${r.sink} (fingerprint ${r.fingerprint})`);
    if (p.fallbacksUsed.length) lines.push(`    fallbacks used: ${p.fallbacksUsed.join(' → ')}`);
  }

  if (s.plan?.reauth.length) {
    lines.push('', 'Re-authentication (planned: exactly these end)');
    for (const t of s.plan.reauth) {
      lines.push(`  ${t.provider} ${t.principal.displayName} (${t.principal.id})${t.notPossible ? ` — not possible: ${t.notPossible}` : ''}`);
      for (const cred of t.ends) {
        const done = s.collateral.find((x) => x.credentialId === credentialKey(cred));
        lines.push(`    ends ${cred.label} [${cred.id}]${done ? ` → ${done.state}` : ''}`);
        for (const r of done?.replacements ?? []) lines.push(`      replacement for ${r.consumerId}: ${r.replacementId} → ${r.sink} (fingerprint ${r.fingerprint})`);
        for (const n of done?.notReplaced ?? []) lines.push(`      ${n.consumerId}: no replacement — ${n.reason}`);
      }
      for (const e of t.effects) lines.push(`    ${e}`);
      for (const l of t.leftAlone) lines.push(`    leaves alone ${l.credentialId}: ${l.reason}`);
    }
  }
  if (s.restrictions.length) {
    lines.push('', 'Temporary restrictions');
    for (const r of s.restrictions) lines.push(`  ${r.credentialId}: ${r.detail} — ${r.undone ? 'undone' : c(33, `NOT UNDONE: ${r.undo.description}`)}`);
  }
  const cutOff = s.evidence.flatMap((e) => (e.kind === 'cut_off' ? [e] : []));
  if (cutOff.length) {
    lines.push('', 'Cut off in the tenant, alive for their owners');
    for (const e of cutOff) lines.push(`  ${e.credentialId}: ${e.ownerAction}`);
  }
  if (s.waitingOn) {
    lines.push('', c(33, `Waiting on ${s.waitingOn.what} since ${s.waitingOn.since} (${s.waitingOn.attempts} rounds, ${s.waitingOn.escalations} escalation(s)): ${s.waitingOn.lastError}`));
  }

  if (s.pendingApprovals.length) {
    lines.push('', 'Waiting for approval');
    for (const a of s.pendingApprovals) lines.push(`  ${a.stage}: ${a.description} (${a.approvals.length}/${a.quorum}, digest ${a.digest.slice(0, 12)}…${a.escalated ? ', escalated' : ''})`);
  }

  lines.push('', 'Evidence', `  ${evidenceSummaryText(evidenceSummary(s))}`);
  for (const e of s.evidence) {
    lines.push(`  #${String(e.seq).padStart(2, '0')} ${clock(e.at, s.startedAt)} ${evidenceLabel(e)} · ${e.actor}${e.requestId ? ` · req ${e.requestId}` : ''}\n        ${evidenceText(e)}`);
  }
  return lines.join('\n');
}

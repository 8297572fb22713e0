// The containment's thread: its first message is the status message (scope report summary, then each
// credential's progress), edited in place as the run moves; the final report is the last reply.
import type { ContainmentStatus, CredentialState } from '../../schemas/containment.ts';
import type { ScopeReport } from '../../schemas/credential.ts';
import { code, context, divider, escapeText, fields, header, mention, section, type Block } from './block-kit.ts';

export interface ThreadRequest {
  incidentId: string;
  requester: string;
  mode: string;
  severity: string;
  /** describeRef() of each credential ref: never a leaked value. */
  refs: string[];
  workflowId: string;
  /** Break-glass lets the requester approve their own containment: shown loudly. */
  breakGlass?: boolean;
}

const STATE_ICON: Record<CredentialState, string> = {
  identified: '🔎',
  revoke_requested: '⏳',
  revoked: '🚫',
  replaced: '🔁',
  reauth_forced: '🔐',
  verified_dead: '✅',
  cut_off: '✂️',
  not_contained: '🚨',
};

const OUTCOME_ICON: Record<string, string> = { running: '⏳', contained: '✅', contained_in_tenant: '✂️', not_contained: '🚨', refused: '⛔', rejected: '❌', cancelled: '⏹️' };

export function threadText(r: Pick<ThreadRequest, 'incidentId'>, status?: Pick<ContainmentStatus, 'outcome' | 'stage'>): string {
  return `Containment ${r.incidentId}: ${status ? (status.outcome === 'running' ? `running (${status.stage})` : status.outcome) : 'starting'}`;
}

/** Seconds (or minutes) from the start, the time-to-contain figure of each transition. */
function sinceStart(startedAt: string, at: string): string {
  const ms = Date.parse(at) - Date.parse(startedAt);
  if (!Number.isFinite(ms)) return '';
  return ms < 120_000 ? `+${(ms / 1000).toFixed(1)}s` : `+${Math.round(ms / 60_000)}m`;
}

export function scopeSummary(reports: readonly ScopeReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`*${escapeText(r.ref)}*: ${r.credentials.length} live credential(s)`);
    for (const c of r.credentials) {
      const consumers = c.consumers.length > 1 ? `shared by ${c.consumers.length} consumers` : c.consumers.length === 1 ? '1 consumer' : 'no known consumer';
      lines.push(
        `• ${escapeText(c.label)} (${code(`${c.provider}:${c.id}`)}), owner ${escapeText(c.principal.displayName)} (${c.principal.type}, ${c.principal.status}); ${consumers}` +
          (c.consumers.length ? `: ${c.consumers.map((x) => escapeText(x.name || x.id)).join(', ')}` : '') +
          (c.scopes.length ? `; scopes ${c.scopes.slice(0, 6).map(code).join(' ')}${c.scopes.length > 6 ? ` +${c.scopes.length - 6}` : ''}` : '') +
          (c.lastUsedAt ? `; last used ${c.lastUsedAt}` : ''),
      );
    }
    if (r.relatedServiceAccounts.length) lines.push(`• related service accounts: ${r.relatedServiceAccounts.map((p) => escapeText(p.displayName)).join(', ')}`);
    for (const flag of r.riskFlags) lines.push(`⚠️ ${escapeText(flag)}`);
    for (const blind of r.blindSpots) lines.push(`🙈 could not see: ${escapeText(blind)}`);
  }
  return lines.join('\n');
}

/** The status message. Without a status yet (just started) it shows the request only. */
export function threadStatusBlocks(r: ThreadRequest, status?: ContainmentStatus): Block[] {
  const outcome = status?.outcome ?? 'running';
  const blocks: Block[] = [
    header(`${OUTCOME_ICON[outcome] ?? ''} Containment ${r.incidentId}: ${status ? (outcome === 'running' ? `running · ${status.stage}` : outcome) : 'starting'}`),
    fields([
      ['Credential', r.refs.map((x) => code(x)).join('\n')],
      ['Requested by', mention(r.requester)],
      ['Mode', r.mode === 'staged' ? 'staged (shared credential, approvals per wave)' : 'direct (revoke, then replace)'],
      ['Severity', r.severity],
    ]),
    ...(r.breakGlass ? [section('🚨 *Break-glass*: the requester may approve this containment themselves; every decision is in the evidence.')] : []),
  ];
  if (status?.scope.length) blocks.push(divider(), section(`*Scope*\n${scopeSummary(status.scope)}`));
  if (status?.credentials.length) {
    const lines = status.credentials.map(
      (c) =>
        `${STATE_ICON[c.state]} ${code(c.credentialId)} *${c.state.replace(/_/g, ' ')}*  ` +
        c.transitions.map((t) => `${t.state.replace(/_/g, ' ')} ${sinceStart(status.startedAt, t.at)}`).join(' → ') +
        (c.replacements.length ? `\n      ${c.replacements.length} replacement(s) delivered` : '') +
        (c.fallbacksUsed.length ? `\n      fallbacks used: ${c.fallbacksUsed.join(', ')}` : ''),
    );
    blocks.push(section(`*Progress*\n${lines.join('\n')}`));
  }
  if (status?.pendingApprovals.length) {
    blocks.push(section(`*Waiting for approval*: ${status.pendingApprovals.map((p) => `${code(p.stage)} (${p.approvals.length}/${p.quorum})`).join(', ')} (see the thread)`));
  }
  if (status?.outcomeReason) blocks.push(section(`*Why*: ${escapeText(status.outcomeReason)}`));
  blocks.push(context(`Workflow ${code(r.workflowId)}`, 'Updates in this message; approvals and the final report in the thread.'));
  return blocks;
}

/** The last reply: what was found, revoked, replaced and verified, how long it took, what was refused. */
export function finalReportBlocks(status: ContainmentStatus): Block[] {
  const took = status.finishedAt ? sinceStart(status.startedAt, status.finishedAt).replace('+', '') : '';
  const refused = status.evidence.filter((e) => e.outcome === 'refused');
  const approvals = status.evidence.filter((e) => e.step.startsWith('approval:') && (e.outcome === 'approved' || e.outcome === 'rejected'));
  const lines = status.credentials.map((c) => {
    const reps = c.replacements.map((x) => `${escapeText(x.consumerId)} → ${escapeText(x.sink)} (fp ${code(x.fingerprint)})`).join('; ');
    return `${STATE_ICON[c.state]} ${code(c.credentialId)} ${c.state.replace(/_/g, ' ')}${reps ? `\n      replacements: ${reps}` : ''}${c.fallbacksUsed.length ? `\n      fallbacks: ${c.fallbacksUsed.join(', ')}` : ''}`;
  });
  return [
    header(`${OUTCOME_ICON[status.outcome] ?? ''} ${status.incidentId}: ${status.outcome.replace(/_/g, ' ')}${took ? ` in ${took}` : ''}`),
    ...(status.outcomeReason ? [section(escapeText(status.outcomeReason))] : []),
    ...(lines.length ? [section(lines.join('\n'))] : []),
    fields([
      ['Decisions', approvals.length ? approvals.map((e) => `${e.step.slice('approval:'.length)}: ${e.outcome} by ${mention(e.actor)}`).join('\n') : 'none needed'],
      ['Refused decisions', refused.length ? refused.map((e) => `${e.step.slice('approval:'.length)}: ${mention(e.actor)}`).join('\n') : 'none'],
      ['Evidence', `${status.evidence.length} events`],
    ]),
    context(`Workflow ${code(status.workflowId)}`, `\`/cordon status ${escapeText(status.incidentId)}\` for the current state`),
  ];
}

export function finalReportText(status: Pick<ContainmentStatus, 'incidentId' | 'outcome' | 'outcomeReason'>): string {
  return `${status.incidentId}: ${status.outcome}${status.outcomeReason ? ` (${status.outcomeReason})` : ''}`;
}

export function escalationText(incidentId: string, stage: string, approvers: readonly string[]): string {
  return `⏰ No decision yet on ${incidentId} ${stage}.${approvers.length ? ` ${approvers.map(mention).join(' ')}, please decide on the approval message above.` : ''}`;
}

/** `/cordon status`: one compact block group per containment of the incident. */
export function statusReplyBlocks(statuses: readonly ContainmentStatus[]): Block[] {
  return statuses.flatMap((s) => [
    section(
      `${OUTCOME_ICON[s.outcome] ?? ''} *${escapeText(s.incidentId)}* ${s.outcome === 'running' ? `running · ${s.stage}` : s.outcome} (${s.mode})\n` +
        s.credentials.map((c) => `${STATE_ICON[c.state]} ${code(c.credentialId)} ${c.state.replace(/_/g, ' ')}`).join('\n') +
        (s.pendingApprovals.length ? `\nWaiting for: ${s.pendingApprovals.map((p) => code(p.stage)).join(', ')}` : '') +
        (s.outcomeReason ? `\n${escapeText(s.outcomeReason)}` : ''),
    ),
    context(`Workflow ${code(s.workflowId)} · started ${s.startedAt}`),
  ]);
}

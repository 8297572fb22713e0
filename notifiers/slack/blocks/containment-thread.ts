// The containment's thread: its first message is the status message (scope report summary, then each
// credential's progress), edited in place as the run moves; the final report is the last reply.
import type { ContainmentStatus, CredentialState } from '../../../schemas/containment.ts';
import type { ScopeReport } from '../../../schemas/credential.ts';
import { code, context, divider, escapeText, fields, header, mention, section, type Block } from './block-kit.ts';
import { retryActionsBlock } from './retry.ts';

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
  /** Set when this run is a retry (`<id>-retry-<n>`) of a finished not_contained run. */
  retryOf?: string;
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
  return `Containment ${r.incidentId}: ${status ? (status.outcome === 'running' ? `running (${status.stage})` : status.outcome === 'contained_in_tenant' ? 'contained in the tenant' : status.outcome) : 'starting'}`;
}

/** The outcome in words for headers ("contained in the tenant", "not contained"). */
function outcomeWords(outcome: string): string {
  return outcome === 'contained_in_tenant' ? 'contained in the tenant' : outcome.replace(/_/g, ' ');
}

/** Credentials only cut off from the tenant, with what their owner must do (the `cut off in tenant` evidence). */
export function cutOffActions(status: Pick<ContainmentStatus, 'credentials' | 'evidence'>): { credentialId: string; label: string; action: string }[] {
  return status.credentials
    .filter((c) => c.state === 'cut_off')
    .map((c) => {
      const e = status.evidence.filter((x) => x.kind === 'cut_off' && x.credentialId === c.credentialId).at(-1);
      return { credentialId: c.credentialId, label: c.label, action: e?.kind === 'cut_off' ? e.ownerAction : 'its owner must delete it (see the evidence)' };
    });
}

/** `⏳ waiting on …, since …, last error …` while a provider keeps failing transiently (I9). */
export function waitingLine(w: NonNullable<ContainmentStatus['waitingOn']>): string {
  return (
    `⏳ waiting on ${escapeText(w.what)}, since ${escapeText(w.since)}, last error ${escapeText(w.lastError.slice(0, 500))}` +
    ` (${w.attempts} round(s)${w.escalations ? `, escalated ${w.escalations}×` : ''}; Cordon keeps retrying until the containment deadline)`
  );
}

const COLLATERAL_STATE: Record<string, string> = { planned: 'to be ended by re-authentication', ended: 'ended by re-authentication', not_ended: 'not ended (re-authentication not possible)' };
const MAX_COLLATERAL_SHOWN = 15;

/**
 * The blast radius of forced re-authentication (I8): each other credential it ended, and which of its
 * consumers got a replacement (by fingerprint) or were left without one, and why. Empty without collateral.
 */
export function collateralLines(status: Pick<ContainmentStatus, 'collateral' | 'plan'>): string[] {
  // `?? []`: a status from a run that predates collateral tracking has none.
  const collateral = status.collateral ?? [];
  if (!collateral.length) return [];
  const names = new Map<string, string>();
  for (const c of status.plan?.reauth?.flatMap((t) => t.ends) ?? []) for (const x of c.consumers) if (x.name) names.set(`${c.provider}:${c.id}|${x.id}`, x.name);
  const consumer = (credentialId: string, id: string) => {
    const name = names.get(`${credentialId}|${id}`);
    return name && name !== id ? `${escapeText(name)} (${code(id)})` : code(id);
  };
  const ended = collateral.filter((c) => c.state === 'ended').length;
  const lines = [`*Re-authentication ended ${ended} other credential(s)*${ended < collateral.length ? ` of ${collateral.length} planned` : ''}`];
  for (const c of collateral.slice(0, MAX_COLLATERAL_SHOWN)) {
    const reps = c.replacements.map((r) => `${consumer(c.credentialId, r.consumerId)} → ${escapeText(r.sink)} (fp ${code(r.fingerprint)})`);
    lines.push(
      `• ${escapeText(c.label)} (${code(c.credentialId)}) ${COLLATERAL_STATE[c.state] ?? c.state}` +
        (reps.length ? `\n      replacements: ${reps.join('; ')}` : '') +
        c.notReplaced.map((n) => `\n      ⚠️ no replacement for ${consumer(c.credentialId, n.consumerId)}: ${escapeText(n.reason)}`).join(''),
    );
  }
  if (collateral.length > MAX_COLLATERAL_SHOWN) lines.push(`… and ${collateral.length - MAX_COLLATERAL_SHOWN} more (\`cordon status\` or the evidence has them all)`);
  return lines;
}

/** `contained_in_tenant`: what is only cut off stays alive for its owner, who must delete it. */
function containedInTenantSection(status: ContainmentStatus): Block[] {
  if (status.outcome !== 'contained_in_tenant') return [];
  const cut = cutOffActions(status);
  return [
    section(
      `✂️ *Contained in the tenant; owners must delete* ${cut.length ? `the ${cut.length} credential(s) only cut off` : 'what was only cut off'}: ` +
        'they no longer reach the tenant but still authenticate elsewhere until their owner deletes them.' +
        cut.map((c) => `\n• ${code(c.credentialId)}: ${escapeText(c.action)}`).join(''),
    ),
  ];
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
    header(`${OUTCOME_ICON[outcome] ?? ''} Containment ${r.incidentId}: ${status ? (outcome === 'running' ? `running · ${status.stage}` : outcome === 'contained_in_tenant' ? outcomeWords(outcome) : outcome) : 'starting'}`),
    fields([
      ['Credential', r.refs.map((x) => code(x)).join('\n')],
      ['Requested by', mention(r.requester)],
      ['Mode', r.mode === 'staged' ? 'staged (shared credential, approvals per wave)' : 'direct (revoke, then replace)'],
      ['Severity', r.severity],
    ]),
    ...(r.breakGlass ? [section('🚨 *Break-glass*: the requester may approve this containment themselves; every decision is in the evidence.')] : []),
    ...(r.retryOf ? [section(`🔁 *Retry* of ${code(r.retryOf)}: what it revoked is not found again; replacements it issued stay.`)] : []),
  ];
  if (status?.scope.length) blocks.push(divider(), section(`*Scope*\n${scopeSummary(status.scope)}`));
  if (status?.credentials.length) {
    const cut = cutOffActions(status);
    const lines = status.credentials.map(
      (c) =>
        `${STATE_ICON[c.state]} ${code(c.credentialId)} *${c.state.replace(/_/g, ' ')}*  ` +
        c.transitions.map((t) => `${t.state.replace(/_/g, ' ')} ${sinceStart(status.startedAt, t.at)}`).join(' → ') +
        (c.replacements.length ? `\n      ${c.replacements.length} replacement(s) delivered` : '') +
        (c.fallbacksUsed.length ? `\n      fallbacks used: ${c.fallbacksUsed.join(', ')}` : '') +
        cut.filter((x) => x.credentialId === c.credentialId).map((x) => `\n      ✂️ cut off in the tenant, owner's action: ${escapeText(x.action)}`).join(''),
    );
    blocks.push(section(`*Progress*\n${lines.join('\n')}`));
  }
  if (status?.waitingOn && status.outcome === 'running') blocks.push(section(waitingLine(status.waitingOn)));
  const collateral = status ? collateralLines(status) : [];
  if (collateral.length) blocks.push(section(collateral.join('\n')));
  if (status) blocks.push(...containedInTenantSection(status));
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
  const refused = status.evidence.filter((e) => e.kind === 'approval_refused');
  const approvals = status.evidence.filter((e) => e.kind === 'approval_decided');
  const cut = cutOffActions(status);
  const lines = status.credentials.map((c) => {
    const reps = c.replacements.map((x) => `${escapeText(x.consumerId)} → ${escapeText(x.sink)} (fp ${code(x.fingerprint)})`).join('; ');
    const action = cut.find((x) => x.credentialId === c.credentialId)?.action;
    return (
      `${STATE_ICON[c.state]} ${code(c.credentialId)} ${c.state.replace(/_/g, ' ')}${reps ? `\n      replacements: ${reps}` : ''}${c.fallbacksUsed.length ? `\n      fallbacks: ${c.fallbacksUsed.join(', ')}` : ''}` +
      (action ? `\n      owner's action: ${escapeText(action)}` : '')
    );
  });
  const collateral = collateralLines(status);
  return [
    header(`${OUTCOME_ICON[status.outcome] ?? ''} ${status.incidentId}: ${outcomeWords(status.outcome)}${took ? ` in ${took}` : ''}`),
    ...(status.outcomeReason ? [section(escapeText(status.outcomeReason))] : []),
    ...containedInTenantSection(status),
    ...(lines.length ? [section(lines.join('\n'))] : []),
    ...(collateral.length ? [section(collateral.join('\n'))] : []),
    ...(status.waitingOn ? [section(waitingLine(status.waitingOn))] : []),
    fields([
      ['Decisions', approvals.length ? approvals.map((e) => `${e.stage}: ${e.decision} by ${mention(e.approver)}`).join('\n') : 'none needed'],
      ['Refused decisions', refused.length ? refused.map((e) => `${e.stage}: ${mention(e.approver)}`).join('\n') : 'none'],
      ['Evidence', `${status.evidence.length} events${status.evidenceDigest ? `, digest ${code(status.evidenceDigest.slice(0, 16))}…${status.seal ? (status.seal.signed ? ` signed (key ${code(status.seal.keyId)})` : ' unsigned') : ''}` : ''}`],
    ]),
    context(`Workflow ${code(status.workflowId)}`, `\`/cordon status ${escapeText(status.incidentId)}\` for the current state`),
    // A not_contained run can be started again (`cordon retry`): the button carries the workflow id only.
    ...(status.outcome === 'not_contained' ? [retryActionsBlock(status.workflowId, status.incidentId)] : []),
  ];
}

export function finalReportText(status: Pick<ContainmentStatus, 'incidentId' | 'outcome' | 'outcomeReason'> & Partial<Pick<ContainmentStatus, 'credentials' | 'evidence'>>): string {
  if (status.outcome === 'contained_in_tenant') {
    const n = status.credentials ? cutOffActions({ credentials: status.credentials, evidence: status.evidence ?? [] }).length : 0;
    return `${status.incidentId}: contained in the tenant; owners must delete ${n ? `the ${n} credential(s) only cut off` : 'what was only cut off'}${status.outcomeReason ? ` (${status.outcomeReason})` : ''}`;
  }
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

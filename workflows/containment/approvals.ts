// Approvals (I7): each waits for its quorum of approvers, escalates after a while, then applies the
// policy's default (hold or proceed); the staged deadline bounds it all. Approvers see the blast
// radius of forced re-authentication with every request (I8).
import { condition } from '@temporalio/workflow';
import { durationMs, type PendingApproval, type Plan } from '../../schemas/containment.ts';
import { credentialKey } from '../../schemas/credential.ts';
import { planOf, type ApprovalResult, type Containment } from './context.ts';

/** Asks approval of a direct run when policy requires it; a string is the rejection that ends the run. */
export async function approveDirect(run: Containment): Promise<string | undefined> {
  if (!run.input.policy.approval.requireForDirect) return undefined;
  const plan = planOf(run);
  const ends = plan.reauth.flatMap((t) => t.ends);
  const d = await awaitApproval(run, {
    stage: 'contain',
    description: withBlastRadius(run, `Contain ${plan.credentials.length} credential(s): ${plan.credentials.map((c) => c.label).join(', ')}`),
    credentialIds: [...plan.credentials, ...ends].map(credentialKey),
    consumerIds: [...plan.credentials, ...ends].flatMap((c) => c.consumers.map((x) => x.id)),
    wave: 0,
  });
  if (d.result === 'rejected') return `rejected by ${d.by.join(', ')}${d.reason ? `: ${d.reason}` : ''}; nothing was revoked`;
  // Fail closed: the containment goes ahead.
  if (d.result === 'deadline') run.record({ kind: 'approval_fail_closed', actor: 'cordon', stage: 'contain', reason: 'deadline passed without a decision' });
  return undefined;
}

/** Waits for one approval: escalate after a while, then the policy default; the deadline bounds it all. */
export async function awaitApproval(
  run: Containment,
  a: Omit<PendingApproval, 'digest' | 'requestedAt' | 'approvals' | 'quorum' | 'escalated'>,
): Promise<ApprovalResult> {
  const { input, state, decisions, record } = run;
  const plan = planOf(run);
  const pending: PendingApproval = { ...a, digest: plan.digest, requestedAt: run.now(), approvals: [], quorum: input.policy.approval.quorum[input.severity], escalated: false };
  state.pendingApprovals.push(pending);
  run.setStage('approval');
  record({
    kind: 'approval_requested',
    actor: 'cordon',
    stage: a.stage,
    digest: plan.digest,
    description: a.description,
    credentialIds: a.credentialIds,
    consumerIds: a.consumerIds,
    wave: a.wave,
    quorum: pending.quorum,
  });
  await run.notify({
    kind: 'approval_needed',
    stage: a.stage,
    digest: plan.digest,
    summary: a.description,
    approval: { description: a.description, credentialIds: a.credentialIds, consumerIds: a.consumerIds, wave: a.wave, quorum: pending.quorum },
  });
  const decided = () => decisions.has(a.stage);
  const remaining = () => run.approvalDeadlineAt - Date.now();
  const wait = async (ms: number) => {
    const bounded = Math.min(ms, remaining());
    return bounded > 0 ? condition(decided, bounded) : decided();
  };
  /** Escalate after a while, then the policy default; `undefined` = decided or deadline passed. */
  const waitForDecision = async (): Promise<ApprovalResult | undefined> => {
    if (await wait(durationMs(input.policy.approval.escalateAfter))) return undefined;
    if (remaining() <= 0) return undefined;
    pending.escalated = true;
    record({ kind: 'approval_escalated', actor: 'cordon', stage: a.stage, after: input.policy.approval.escalateAfter });
    await run.notify({ kind: 'escalation', stage: a.stage, digest: plan.digest, summary: `No decision yet: ${a.description}` });
    if ((await wait(durationMs(input.policy.approval.defaultAfter))) || remaining() <= 0) return undefined;
    const onTimeout = input.policy.approval.onTimeout[input.severity];
    record({ kind: 'approval_defaulted', actor: 'policy', stage: a.stage, onTimeout, severity: input.severity });
    if (onTimeout === 'proceed') return { result: 'approved', by: ['policy:timeout'] };
    await wait(remaining()); // hold: until a decision or the deadline (always set when approvals are asked)
    return undefined;
  };
  let result: ApprovalResult;
  try {
    result = (await waitForDecision()) ?? decisions.get(a.stage) ?? { result: 'deadline' };
  } finally {
    // Also on cancellation: a finished run shows no approval as still pending.
    state.pendingApprovals = state.pendingApprovals.filter((x) => x.stage !== a.stage);
  }
  if (result.result === 'deadline') record({ kind: 'approval_deadline', actor: 'cordon', stage: a.stage, deadline: input.policy.stagedDeadline });
  decisions.set(a.stage, result);
  return result;
}

/** An approval's text followed by the blast radius of forced re-authentication (I8). */
export function withBlastRadius(run: Containment, text: string): string {
  const radius = run.plan ? reauthSummary(run.plan) : '';
  return radius ? `${text}\n${radius}` : text;
}

/** The blast radius of forced re-authentication, in words, for approvers (I8). */
function reauthSummary(p: Plan): string {
  return p.reauth
    .map((t) => {
      const who = `${t.provider} ${t.principal.displayName} (${t.principal.id})`;
      if (t.notPossible) return `Re-authentication of ${who}: not possible (${t.notPossible})`;
      const ends = t.ends.map((c) => `${c.label}${c.consumers.length ? ` → replacements for ${c.consumers.map((x) => x.name).join(', ')}` : ' (no known consumer)'}`);
      return [
        `Re-authentication of ${who} ends ${t.ends.length} other credential(s)${ends.length ? `: ${ends.join('; ')}` : ''}`,
        ...t.effects,
        ...(t.leftAlone.length ? [`leaves alone ${t.leftAlone.map((l) => `${l.credentialId} (${l.reason})`).join(', ')}`] : []),
      ].join('; ');
    })
    .join('\n');
}

// The planned rotation of one credential (docs/rotation.md): the staged order, since nothing is known to be
// stolen — approval where the policy asks, the maintenance window, one replacement minted and delivered per
// consumer, then a wait for evidence that every consumer switched (the provider's last-use record: the old
// credential's use stops while each replacement's starts), then revoke and verify. Without that evidence by the
// policy's deadline, the policy decides: hold the old credential and escalate, or revoke it anyway. Design I1
// (revoke first) is about the direct containment of a stolen credential; the evidence says which order ran.
import { condition, defineQuery, defineUpdate, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { RotationActivities } from '../activities/rotation.ts';
import { durationMs } from '../schemas/containment.ts';
import { credentialKey, type ReplacementRef } from '../schemas/credential.ts';
import { authenticate, type Authentication } from '../schemas/envelope.ts';
import { judgeSwitch, nextWindowStart, RotateCredentialInput, RotationDecision, type RotationEvent, type RotationResult, type RotationState } from '../schemas/rotation.ts';
import { undecodableReason } from '../schemas/undecodable.ts';
import { approverRefusal, refuseDecision, unauthenticatedRefusal } from './approval-rules.ts';
import { MESSAGE_RECORDS_KEPT, signalFields } from './containment/messages.ts';

const acts = proxyActivities<Activities & RotationActivities>({
  startToCloseTimeout: '1 minute',
  // The connectors hand the provider's Retry-After over as the next delay.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

export const rotationStatusQuery = defineQuery<RotationResult>('rotationStatus');
/**
 * One approver's decision on a rotation whose policy requires approval; the first decision wins. Judged like a
 * containment's decision (./approval-rules.ts): its signed envelope, the approver list, never the requester,
 * and a refusal recorded in the evidence before it fails the update (failure type `cordon.decision_refused`).
 */
export const decideRotationUpdate = defineUpdate<RotationState, [RotationDecision]>('decideRotation');
/** Recorded by every rotation that judges its approvals' envelopes; one without it replays the old validator. */
export const ROTATION_SIGNED_APPROVALS_PATCH = 'cordon-rotation-signed-approvals';

const nowIso = () => new Date(Date.now()).toISOString();
const errorText = (err: unknown) => (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));

export async function rotateCredential(raw: RotateCredentialInput): Promise<RotationResult> {
  const input = RotateCredentialInput.parse(raw);
  const { policy, credential } = input;
  const workflowId = workflowInfo().workflowId;
  const startedAt = nowIso();
  const credentialId = credentialKey(credential);
  const replacements: ReplacementRef[] = [];
  const status: RotationResult = {
    workflowId,
    policy: policy.name,
    provider: credential.provider,
    credentialId,
    label: credential.label,
    state: policy.requireApproval ? 'awaiting_approval' : 'minting',
    replacements,
    consumers: credential.consumers.map((c) => ({ consumerId: c.id, switched: false })),
    evidence: [],
    startedAt,
  };
  const record = (e: RotationEvent) => status.evidence.push(e);
  let decision: RotationDecision | undefined;
  setHandler(rotationStatusQuery, () => status);
  const accept = (d: RotationDecision, auth: Authentication | undefined): RotationState => {
    decision = d;
    record({ kind: 'approval_decided', at: nowIso(), approver: d.approver, decision: d.decision, ...(d.reason ? { reason: d.reason } : {}), ...auth });
    return d.decision === 'approve' ? 'minting' : 'rejected';
  };
  /** Why a decision cannot count (undefined: it can); the same rules as a containment's (I7). */
  const refusalOf = (raw: unknown): string | undefined => {
    const undecodable = undecodableReason(raw);
    if (undecodable) return `invalid decision: the payload could not be decoded: ${undecodable}`;
    const shape = RotationDecision.safeParse(raw);
    if (!shape.success) return `invalid decision: ${shape.error.issues[0]?.path.join('.') || '(input)'}: ${shape.error.issues[0]?.message}`;
    if (!policy.requireApproval) return `${workflowId}: policy ${policy.name} does not ask for approval`;
    if (decision) return `${workflowId}: already decided by ${decision.approver}`;
    return approverRefusal(shape.data.approver, { approvers: policy.approvers, requester: input.requester, subject: 'rotation' });
  };
  if (patched(ROTATION_SIGNED_APPROVALS_PATCH)) {
    const nonces = new Set<string>();
    let refusals = 0;
    // No validator: its refusal could not be written to the evidence, so the handler refuses, records, then fails.
    setHandler(decideRotationUpdate, (raw: RotationDecision): RotationState => {
      const said = signalFields(raw, { approver: 256, channel: 32 });
      const claimed = typeof said === 'string' ? {} : said;
      const auth = authenticate(raw, { action: 'decide', workflowId, nowMs: Date.now(), nonces, claimedChannel: claimed.channel });
      const refusal = refusalOf(raw) ?? unauthenticatedRefusal(auth, policy.requireAuthenticated, 'rotation');
      if (refusal) {
        // Bounded as a containment's are (containment/messages.ts MESSAGE_RECORDS_KEPT); history keeps every update.
        if (++refusals <= MESSAGE_RECORDS_KEPT) record({ kind: 'approval_refused', at: nowIso(), approver: claimed.approver || '(unnamed)', reason: refusal.slice(0, 500), ...auth });
        if (refusals === MESSAGE_RECORDS_KEPT) {
          record({ kind: 'approval_refused', at: nowIso(), approver: 'cordon', reason: `${MESSAGE_RECORDS_KEPT} refused decisions recorded: further ones are refused without a record here (the workflow's history keeps each)`, channel: 'temporal' });
        }
        refuseDecision(refusal);
      }
      return accept(RotationDecision.parse(raw), auth);
    });
  } else {
    // Rotations started before signed approvals: the validator refused without a trace, as they ran.
    setHandler(decideRotationUpdate, (d) => accept(d, undefined), {
      validator: (d) => {
        if (!policy.requireApproval) throw new Error(`${workflowId}: policy ${policy.name} does not ask for approval`);
        if (decision) throw new Error(`${workflowId}: already decided by ${decision.approver}`);
        if (!policy.approvers.includes(d.approver)) throw new Error(`${d.approver} is not an approver of policy ${policy.name} (approvers: ${policy.approvers.join(', ')})`);
        if (d.approver === input.requester) throw new Error(`${d.approver} requested this rotation and cannot approve it`);
      },
    });
  }
  const finish = async (state: RotationState, reason?: string): Promise<RotationResult> => {
    status.state = state;
    if (reason) status.reason = reason;
    status.finishedAt = nowIso();
    // Unfinished replacement claims stop binding later runs (I8).
    await bookkeeping.releaseReplacementClaims({ workflowId, principals: [{ provider: credential.provider, principalId: credential.principal.id }] }).catch(() => undefined);
    return status;
  };

  record({ kind: 'planned', at: startedAt, policy: policy.name, maxAge: policy.maxAge, ...(input.ageDays !== undefined ? { ageDays: input.ageDays } : {}), order: 'staged', consumers: credential.consumers.map((c) => c.id) });

  if (policy.requireApproval) {
    record({ kind: 'approval_requested', at: nowIso(), approvers: policy.approvers });
    await bookkeeping.notify({ kind: 'approval_needed', workflowId, incidentId: `ROTATE-${policy.name}`, summary: `rotate ${credential.label} (policy ${policy.name}): one replacement per consumer, then the old credential is revoked once they switched` });
    // Unanswered, the rotation waits as long as a consumer would be given to switch, then holds.
    if (!(await condition(() => decision !== undefined, durationMs(policy.switchDeadline)))) return finish('held', 'no approver decided before the switch deadline; nothing was minted');
    if (decision!.decision === 'reject') return finish('rejected', `rejected by ${decision!.approver}${decision!.reason ? `: ${decision!.reason}` : ''}`);
  }

  const opensAt = nextWindowStart(policy.window, Date.now());
  if (opensAt > Date.now()) {
    status.state = 'waiting_for_window';
    record({ kind: 'window_wait', at: nowIso(), until: new Date(opensAt).toISOString() });
    await sleep(opensAt - Date.now());
  }

  // 1. One replacement per consumer, delivered to its sink; the value never enters history (I5).
  status.state = 'minting';
  const issuedFor = new Map<string, ReplacementRef>();
  for (const consumer of credential.consumers) {
    try {
      const out = await acts.issueReplacement({ workflowId, runStartedAt: startedAt, credential, consumer });
      if ('issued' in out) {
        replacements.push(out.issued);
        issuedFor.set(consumer.id, out.issued);
        const entry = status.consumers.find((c) => c.consumerId === consumer.id)!;
        entry.replacementId = out.issued.replacementId;
        record({ kind: 'replacement_delivered', at: nowIso(), consumerId: consumer.id, replacementId: out.issued.replacementId, fingerprint: out.issued.fingerprint, sink: out.issued.sink, ...(out.issued.note ? { note: out.issued.note } : {}) });
      } else {
        record({ kind: 'replacement_owned_elsewhere', at: nowIso(), consumerId: consumer.id, ownedBy: out.ownedBy });
        return finish('failed', `consumer ${consumer.id}'s replacement belongs to ${out.ownedBy} (design I8): this rotation leaves the credential alone`);
      }
    } catch (err) {
      record({ kind: 'failed', at: nowIso(), step: `mint for ${consumer.id}`, error: errorText(err) });
      // Already delivered replacements stay with their consumers; the old credential is untouched.
      return finish('failed', `minting for ${consumer.id} failed: ${errorText(err)}`);
    }
  }

  // 2. Wait for every consumer to switch, reading the provider's last-use record every `checkEvery`.
  status.state = 'waiting_for_switch';
  const deadlineAt = Date.now() + durationMs(policy.switchDeadline);
  let switched = false;
  let lastOld: { credentialId: string; lastUsedAt?: string } | undefined;
  let unobservable = false;
  for (;;) {
    // A provider that stays unreadable through the activity's retries is no evidence this round; the deadline still holds.
    const answer = unobservable ? undefined : await acts.credentialLastUse({ provider: credential.provider, credentialIds: [credential.id, ...replacements.map((r) => r.replacementId)] }).catch(() => undefined);
    if (answer && 'unsupported' in answer) {
      unobservable = true;
      record({ kind: 'switch_unobservable', at: nowIso(), reason: answer.unsupported });
    } else if (answer) {
      const used = new Map(answer.uses.map((u) => [u.credentialId, u.lastUsedAt]));
      const oldAt = used.get(credential.id);
      lastOld = { credentialId, ...(oldAt ? { lastUsedAt: oldAt } : {}) };
      const verdict = judgeSwitch({ lastUsedAt: oldAt }, [...issuedFor].map(([consumerId, r]) => ({ consumerId, issuedAt: r.issuedAt, lastUsedAt: used.get(r.replacementId) })));
      for (const c of status.consumers) c.switched = c.replacementId !== undefined && !verdict.waitingFor.includes(c.consumerId);
      if (verdict.switched) {
        switched = true;
        record({ kind: 'switch_seen', at: nowIso(), old: lastOld, replacements: replacements.map((r) => ({ credentialId: r.replacementId, ...(used.get(r.replacementId) ? { lastUsedAt: used.get(r.replacementId)! } : {}) })), source: answer.source });
        break;
      }
    }
    const left = deadlineAt - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(durationMs(policy.checkEvery), left));
  }

  if (!switched) {
    const waitingFor = status.consumers.filter((c) => !c.switched).map((c) => c.consumerId);
    record({ kind: 'deadline_reached', at: nowIso(), action: policy.onDeadline, waitingFor, ...(lastOld ? { old: lastOld } : {}) });
    if (policy.onDeadline === 'hold_and_escalate') {
      const summary = `rotation of ${credential.label} (policy ${policy.name}) is held: ${waitingFor.join(', ') || 'its consumers'} not seen on the replacement by the deadline; the old credential stays active until someone acts`;
      await bookkeeping.notify({ kind: 'escalation', workflowId, incidentId: `ROTATE-${policy.name}`, summary });
      record({ kind: 'escalated', at: nowIso(), summary });
      return finish('held', `no evidence that ${waitingFor.join(', ') || 'the consumers'} switched by the deadline; held and escalated`);
    }
  }

  // 3. Revoke the old credential, then verify it is gone and the replacements live.
  try {
    const revoked = await acts.revokeCredential({ credential });
    record({ kind: 'revoked', at: nowIso(), outcome: revoked.outcome, ...(revoked.requestId ? { requestId: revoked.requestId } : {}) });
    const verified = await acts.verifyCredential({ credential, replacementIds: replacements.map((r) => r.replacementId), workflowId, planned: [credentialId] });
    record({ kind: 'verified', at: nowIso(), oldActive: verified.stillActive, othersActive: verified.unplanned.length + verified.unexpectedActive.length });
    if (verified.stillActive) return finish('failed', 'the old credential still shows as active after its revocation');
  } catch (err) {
    record({ kind: 'failed', at: nowIso(), step: 'revoke', error: errorText(err) });
    return finish('failed', `revoking the old credential failed: ${errorText(err)}`);
  }
  if (switched) return finish('rotated');
  const broken = status.consumers.filter((c) => !c.switched).map((c) => c.consumerId);
  return finish('revoked_at_deadline', `revoked at the deadline as the policy says; ${broken.join(', ')} had not switched and lose access until they load their replacement`);
}

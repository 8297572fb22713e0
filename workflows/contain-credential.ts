// The containment runbook: identify scope → plan (with everything re-authentication will end) →
// approval where policy requires → revoke before replace → force re-authentication → verify, with the
// invariants I1–I9 (docs/design.md §2). Each step is a module of workflows/containment/, over one
// explicit run context. Deterministic code only: providers are reached through activities, whose
// types alone are imported here. Deployed workflow type: the order of commands is fixed by the
// recorded histories in test/replay.
import { ApplicationFailure, CancellationScope, isCancellation, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { ContainmentInput, reauthPrincipals, type ContainmentRequest, type ContainmentStatus, type ReauthTarget } from '../schemas/containment.ts';
import type { ScopeReport } from '../schemas/credential.ts';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { undecodableReason } from '../schemas/undecodable.ts';
import { approveDirect } from './containment/approvals.ts';
import { settleAll, settleBranches } from './containment/branches.ts';
import { contain, mayRevokeAtOnce, revokeAtOnce } from './containment/contain.ts';
import { openContainment, withReadsQueued, type Containment } from './containment/context.ts';
import { failureMessage, failureType } from './containment/failures.ts';
import { enrichPending } from './containment/enrich.ts';
import { identify, nothingFound } from './containment/identify.ts';
import { setMessageHandlers } from './containment/messages.ts';
import { makePlan, planFrom, scopeReauth, SCOPE_READ_WITH_IDENTIFY_PATCH } from './containment/plan.ts';
import { reauthenticate } from './containment/reauth.ts';
import { prepareSinksAhead } from './containment/replace.ts';
import { finish, markNotContained, verdict } from './containment/verdict.ts';
import { firstChecksAhead, verify, type FirstChecks } from './containment/verify.ts';
import { INCIDENT_ID, OUTCOME } from './search-attributes.ts';

export async function containCredential(request: ContainmentRequest): Promise<ContainmentStatus> {
  const input = parseInput(request);
  const run = openContainment(input);
  setMessageHandlers(run);

  upsertSearchAttributes([{ key: INCIDENT_ID, value: input.incidentId }, { key: OUTCOME, value: 'running' }]);
  run.record({
    kind: 'started',
    actor: input.requester,
    workflowId: run.workflowId,
    incidentId: input.incidentId,
    credentialRefs: input.credentials.length,
    mode: input.mode,
    severity: input.severity,
    breakGlass: input.breakGlass,
    ...(input.retryOf ? { retryOf: input.retryOf } : {}),
    ...(input.origin ? { origin: input.origin.channel } : {}),
  });
  try {
    // 1. Identify scope.
    const reports = await identify(run);
    if (run.state.credentials.length === 0) return await finish(run, 'not_contained', nothingFound(reports));

    // 2. Plan, with everything re-authentication will end (I8), bound by its digest; refuses self-lockout (I6).
    // The fast path (direct, no approval, no self-lockout) revokes at once and plans meanwhile.
    const fastPath = mayRevokeAtOnce(run, reports) && patched(FAST_PATH_PATCH);
    // The fast path reads its replacements' sinks ahead, beside the revoke (scheduled after it): awaited before the verdict.
    let warming: Promise<void> = Promise.resolve();
    if (fastPath) {
      const planning = revokeWhilePlanning(run, reports);
      warming = prepareSinksAhead(run, reports);
      const planned = await planning;
      if ('refused' in planned) {
        await warming;
        return await finish(run, 'refused', planned.refused);
      }
    } else {
      // Not the fast path (an approval, or a credential the plan refuses under I6): the plan and the approvers
      // see every detail, so what identification left for after the revoke is read now.
      await enrichPending(run, reports);
      const planned = await makePlan(run, reports);
      if ('refused' in planned) return await finish(run, 'refused', planned.refused);
      const rejected = await approveDirect(run);
      if (rejected) return await finish(run, 'rejected', rejected);
    }

    const containAndVerify = async (r: Containment) => {
      // 3. Revoke before replace (direct) or staged waves (shared credentials, approved). A refusal stops only its own credential.
      // 4. Force re-authentication: exactly what the plan lists, then the ended credentials' consumers get replacements.
      let ahead: FirstChecks = new Map();
      if (fastPath && patched(REPLACE_WHILE_REAUTHENTICATING_PATCH)) ahead = await replaceWhileReauthenticating(r);
      else {
        await contain(r);
        await reauthenticate(r);
      }
      // 5. Verify: only Cordon's replacements remain (I3). Every branch settles before the verdict.
      await verify(r, ahead);
    };
    // The details identification left for after the revoke (only on the fast path, whose revokes are acknowledged
    // by now) are read beside the rest; both settle before the verdict, so the status shows every detail.
    // Both branches make their provider calls on the run's own queue (context.ts besideWrites): a local activity
    // in one (the verification) would hold back whatever the other schedules in the same workflow task.
    if (reports.some((r) => r.pendingEnrichment?.length)) await settleBranches(run, [(branch) => containAndVerify(withReadsQueued(branch)), (branch) => enrichPending(withReadsQueued(branch), reports)]);
    else await containAndVerify(run);
    await warming;
    const { outcome, reason } = verdict(run);
    return await finish(run, outcome, reason);
  } catch (err) {
    if (isCancellation(err)) {
      return await CancellationScope.nonCancellable(() => finish(run, 'cancelled', 'cancelled by an operator; see the evidence for what was done before'));
    }
    // A permanent refusal before any credential was reached, or the containment deadline: loud, never a silent success.
    markNotContained(run);
    return await finish(run, 'not_contained', `${failureType(err) ?? 'error'}: ${failureMessage(err)}`);
  }
}

/**
 * Recorded by every run that took the fast path; runs recorded before it replay the plan-first order. The
 * id is recorded in history: never rename it.
 */
export const FAST_PATH_PATCH = 'cordon-revoke-at-once';

/**
 * The re-authentication scope first (read before any write, I8), then the revocations and the plan side by
 * side; both settle before the run goes on (nothing runs unobserved).
 */
async function revokeWhilePlanning(run: Containment, reports: ScopeReport[]): Promise<Awaited<ReturnType<typeof makePlan>>> {
  // The plan's evidence after the revocations', whichever completes first (settleBranches).
  let planned: Awaited<ReturnType<typeof makePlan>> | undefined;
  const endsOnlyThemselves = revokesEndOnlyThemselves(reports) && patched(SCOPE_BESIDE_REVOKE_PATCH);
  const carried = !endsOnlyThemselves && scopeReadWithIdentify(reports) && patched(SCOPE_READ_WITH_IDENTIFY_PATCH);
  if (endsOnlyThemselves || carried) {
    // Nothing but the named credentials ends with these revokes, or identify already read what they and the
    // re-authentication end (I8 holds without a read first): the scope step (for a carried scope, only the
    // registry's word on other runs' replacements) runs beside them, and the plan as soon as the scope is in.
    if (carried || patched(PLAN_AS_SCOPE_ARRIVES_PATCH)) {
      const scopeThenPlan = async (branch: Containment) => void (planned = await planFrom(branch, reports, await scopeReauth(withReadsQueued(branch), reports), { besideWrites: true }));
      await settleBranches(run, [(branch) => revokeAtOnce(branch, reports), scopeThenPlan]);
      return planned!;
    }
    let scoped: ReauthTarget[] = [];
    await settleBranches(run, [(branch) => revokeAtOnce(branch, reports), async (branch) => void (scoped = await scopeReauth(withReadsQueued(branch), reports))]);
    return planFrom(run, reports, scoped, { besideWrites: true });
  }
  const reauth = await scopeReauth(run, reports);
  await settleBranches(run, [(branch) => revokeAtOnce(branch, reports), async (branch) => void (planned = await planFrom(branch, reports, reauth, { besideWrites: true }))]);
  return planned!;
}

/**
 * Recorded by a fast-path run that read the scope beside revokes that end only themselves and built its plan
 * as soon as the scope was in, beside the revokes; runs recorded before it (with SCOPE_BESIDE_REVOKE_PATCH)
 * built it once the revokes had settled too, a round later. Never rename it.
 */
export const PLAN_AS_SCOPE_ARRIVES_PATCH = 'cordon-plan-as-scope-arrives';

/**
 * Recorded by a fast-path run that read the re-authentication scope beside the revokes (their credentials'
 * revokes end nothing else); runs recorded before it read the scope first. Never rename it.
 */
export const SCOPE_BESIDE_REVOKE_PATCH = 'cordon-scope-beside-revoke';

/**
 * Kinds whose revoke ends the named credential and nothing else: deleting a Google service-account key or a
 * GitHub deploy key leaves every other credential of its principal alive. Not a Salesforce grant (it takes its
 * sessions), a Slack token (revoking an installation's last token uninstalls the app) or a Google user's
 * grant (every token of the client for that user).
 */
const REVOKE_ENDS_ONLY_ITSELF: readonly string[] = ['google:service_account_key', 'github:deploy_key'];

function revokesEndOnlyThemselves(reports: ScopeReport[]): boolean {
  return reports.every((r) => r.credentials.every((c) => REVOKE_ENDS_ONLY_ITSELF.includes(`${c.provider}:${c.kind}`)));
}

/**
 * Whether identify read the re-authentication scope of every principal the plan would re-authenticate: then
 * what the revokes and the re-authentication end was read before any write, and no provider read is left
 * for the scope step (design I8).
 */
function scopeReadWithIdentify(reports: ScopeReport[]): boolean {
  const carried = new Set(reports.flatMap((r) => (r.reauthScopes ?? []).map((s) => `${r.provider}:${s.principalId}`)));
  const principals = reauthPrincipals(reports);
  return principals.length > 0 && principals.every((t) => carried.has(`${t.provider}:${t.principal.id}`));
}

/**
 * Recorded by a fast-path run that mints its replacements while it forces re-authentication; runs recorded
 * before it replay replacements first. The id is recorded in history: never rename it.
 */
export const REPLACE_WHILE_REAUTHENTICATING_PATCH = 'cordon-replace-while-reauthenticating';

/**
 * On the fast path every credential is revoked (or refused) before this point, so its replacements (I1) and
 * the re-authentication the plan names (I8: it ends exactly the listed credentials, never a replacement
 * minted meanwhile) need not wait for each other. Both settle before verification, whose first read of a
 * credential its replacements cannot be taken for starts once the re-authentication has ended what it ends
 * (verify.ts firstChecksAhead): returned for verify().
 */
async function replaceWhileReauthenticating(run: Containment): Promise<FirstChecks> {
  const forced: string[] = [];
  let ended = false;
  const ahead = firstChecksAhead(run, () => ended);
  await settleAll([contain(run), reauthenticate(run, forced, () => void (ended = true))]);
  for (const key of forced) if (run.progressOf(key).state !== 'not_contained') run.transition(key, 'reauth_forced');
  return ahead;
}

/** The input as every way in parses it; invalid input fails the run at once (not retried). */
function parseInput(request: ContainmentRequest): ContainmentInput {
  const undecodable = undecodableReason(request);
  if (undecodable) throw ApplicationFailure.create({ type: FAILURE_TYPES.invalid_input, nonRetryable: true, message: `invalid containment input: the payload could not be decoded: ${undecodable}` });
  const parsed = ContainmentInput.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalid_input,
      nonRetryable: true,
      message: `invalid containment input: ${issue?.path.join('.') || '(input)'}: ${issue?.message}`,
    });
  }
  return parsed.data;
}

// Step 2, plan: the actions, with everything forced re-authentication will end (I8), bound by the
// digest approvals name (I7). The plan activity refuses a self-lockout (I6).
import { durationMs, impossibleReauth, reauthPrincipals, type Plan, type ReauthTarget } from '../../schemas/containment.ts';
import { patched } from '@temporalio/workflow';
import { credentialKey, takeReauthScopes, type ReauthScopeSnapshot, type ScopeReport } from '../../schemas/credential.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import type { Containment } from './context.ts';
import { failureMessage, failureType } from './failures.ts';

/** The plan, also kept in `run.plan`; or why it was refused (self-lockout), which ends the run. */
export async function makePlan(run: Containment, reports: ScopeReport[]): Promise<{ plan: Plan } | { refused: string }> {
  return planFrom(run, reports, await scopeReauth(run, reports));
}

/**
 * What forcing re-authentication of each principal would end, read before any write: a provider's revoke can
 * end other credentials of the principal (a Salesforce grant takes its sessions with it), and the plan must
 * list them with their consumers (I8).
 */
export async function scopeReauth(run: Containment, reports: ScopeReport[]): Promise<ReauthTarget[]> {
  run.setStage('plan');
  const targets = reports.flatMap((r) => r.credentials).map(credentialKey);
  const snapshots = patched(REAUTH_SCOPE_FROM_IDENTIFY_PATCH) ? takeReauthScopes(reports) : new Map<string, ReauthScopeSnapshot>();
  return Promise.all(
    reauthPrincipals(reports).map((t) => {
      const snapshot = snapshots.get(`${t.provider}:${t.principal.id}`);
      // What the scope activity would answer at once, before any registry query (activities/reauth-scope.ts).
      if (snapshot?.notPossible && patched(SCOPE_READ_WITH_IDENTIFY_PATCH)) return impossibleReauth(t.provider, t.principal, snapshot.notPossible);
      return run.untilDeadline(`listing what re-authentication of ${t.principal.id} ends`, () => run.acts.scopeReauth({ ...t, workflowId: run.workflowId, targets, ...(snapshot ? { snapshot } : {}) }));
    }),
  );
}

/**
 * Recorded by a run that plans re-authentication from the scope identify read with the credentials
 * (ScopeReport.reauthScopes; Salesforce reads a user's grants and sessions once for both) instead of the
 * provider again; runs recorded before it had the scope activity read it. Never rename it.
 */
export const REAUTH_SCOPE_FROM_IDENTIFY_PATCH = 'cordon-reauth-scope-from-identify';

/**
 * Recorded by a fast-path run whose re-authentication scope identify read with the credentials, for every
 * principal the plan re-authenticates (ScopeReport.reauthScopes: a Salesforce user's grants and sessions, a
 * Slack bot's "no sessions"), and which therefore ran the scope step beside the revokes; runs recorded before
 * it ran that step, and its registry query, before them. A principal whose carried scope says re-authentication
 * is not possible (a Slack bot) needs neither the provider nor the registry: since this patch its target is
 * taken from the scope without an activity (scopeReauth). Never rename it.
 */
export const SCOPE_READ_WITH_IDENTIFY_PATCH = 'cordon-carried-scope-beside-revoke';

/**
 * The plan from the scope reports and the re-authentication scope. `besideWrites`: built while the fast path's
 * revocations run (contain.ts): in a local activity (a pure computation) for runs recorded before
 * REVOKE_ON_OWN_QUEUE_PATCH, since then on the run's own queue, so it does not hold the revokes' scheduling back.
 */
export async function planFrom(run: Containment, reports: ScopeReport[], reauth: ReauthTarget[], options: { besideWrites?: boolean } = {}): Promise<{ plan: Plan } | { refused: string }> {
  const { input, state } = run;
  const planner = options.besideWrites && !run.readsBesideWritesQueued ? run.local : run.acts;
  let plan: Plan;
  try {
    plan = await run.untilDeadline('planning', () => planner.planContainment({ mode: input.mode, waveSize: input.policy.waveSize, reports, reauth }));
  } catch (err) {
    if (failureType(err) === FAILURE_TYPES.self_lockout) return { refused: failureMessage(err) };
    throw err;
  }
  run.plan = plan;
  state.plan = plan;
  const ends = plan.reauth.flatMap((t) => t.ends);
  run.record({
    kind: 'planned',
    actor: 'cordon',
    digest: plan.digest,
    actions: plan.actions.length,
    waves: plan.waves,
    reauthEnds: ends.length,
    reauthConsumers: ends.reduce((n, c) => n + c.consumers.length, 0),
    leftAlone: plan.reauth.reduce((n, t) => n + t.leftAlone.length, 0),
  });
  const needsApproval = input.policy.approval.requireForDirect || plan.actions.some((a) => a.step === 'restrict');
  if (needsApproval) run.approvalDeadlineAt = Date.now() + durationMs(input.policy.stagedDeadline);
  return { plan };
}

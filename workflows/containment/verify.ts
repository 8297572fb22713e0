// Step 5, verify: only Cordon's replacements remain (I3). A credential still alive gets a bounded
// re-revoke, then the fallback ladder named in the plan, then not_contained: never a silent success.
import { sleep } from '@temporalio/workflow';
import type { VerifyInput, VerifyResult } from '../../activities/index.ts';
import { FALLBACK_RUNGS } from '../../schemas/containment.ts';
import { credentialKey, type Credential } from '../../schemas/credential.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import { guarded, settleBranches } from './branches.ts';
import { planOf, type Containment } from './context.ts';
import { perProvider } from './per-provider.ts';
import { failureMessage, failureType } from './failures.ts';

/** Verifies every credential not stopped by a refusal; every branch settles before the verdict. */
export async function verify(run: Containment): Promise<void> {
  run.setStage('verify');
  const live = planOf(run).credentials.filter((c) => !run.refusedBecause.has(credentialKey(c)));
  const first = run.batchCalls ? await firstChecksPerProvider(run, live) : new Map<string, VerifyResult>();
  await settleBranches(run, live.map((c) => (branch: Containment) => guarded(branch, credentialKey(c), () => verifyOne(branch, c, first.get(credentialKey(c))))));
}

/** What one credential's verification sends: this run's replacements, its leaked value, and what the plan ends. */
function verifyInput(run: Containment, c: Credential): VerifyInput {
  const plan = planOf(run);
  const key = credentialKey(c);
  const leakedValue = run.leakedValueOf.get(key);
  const replacementIds = [...run.progressOf(key).replacements, ...run.state.collateral.flatMap((x) => x.replacements)].map((r) => r.replacementId);
  const planned = [...plan.credentials.map(credentialKey), ...plan.reauth.flatMap((t) => t.ends.map(credentialKey))];
  return { credential: c, replacementIds, planned, ...(leakedValue ? { leakedValue } : {}) };
}

/**
 * The first verification of each credential, in one activity per provider (Containment.batchCalls). A
 * provider whose batch fails for good leaves its credentials to check one by one, each stopping only itself
 * as before (a cancellation goes on up).
 */
async function firstChecksPerProvider(run: Containment, live: Credential[]): Promise<Map<string, VerifyResult>> {
  return perProvider(run, live, 'verifying', (group) => run.acts.verifyCredentials({ items: group.map((c) => verifyInput(run, c)), workflowId: run.workflowId }), (v) => v);
}

const dead = (v: VerifyResult) => !v.stillActive && v.unexpectedActive.length === 0 && v.probe !== 'alive';
/** The verification as evidence: what was found, by field. */
const verified = (key: string, v: VerifyResult) =>
  ({ kind: 'verified', actor: 'cordon', credentialId: key, verdict: dead(v) ? 'dead' : 'alive', stillActive: v.stillActive, unexpectedActive: v.unexpectedActive.map(credentialKey), probe: v.probe }) as const;

/** `first`: the credential's first verification, read with its provider's others (firstChecksPerProvider). */
async function verifyOne(run: Containment, c: Credential, first?: VerifyResult): Promise<void> {
  const { input, acts, record } = run;
  const key = credentialKey(c);
  const leakedValue = run.leakedValueOf.get(key);
  const check = () => run.untilDeadline(`verifying ${c.label}`, () => acts.verifyCredential({ ...verifyInput(run, c), workflowId: run.workflowId }));
  let v = first ?? (await check());
  record(verified(key, v));
  if (v.unplanned.length) {
    // I8: never touched without a plan that names them; a responder decides (a new containment can).
    record({ kind: 'unplanned_left_alone', actor: 'cordon', credentialId: key, unplanned: v.unplanned.map(credentialKey) });
  }
  // I3: bounded re-revoke, then the fallback ladder (named in the plan), then not_contained — never a silent success.
  for (let attempt = 1; !dead(v) && attempt <= input.policy.reRevokeAttempts; attempt++) {
    for (const target of [...(v.stillActive ? [c] : []), ...v.unexpectedActive]) {
      const r = await run.untilDeadline(`re-revoking ${target.label}`, () => acts.revokeCredential({ credential: target, ...(target === c && leakedValue ? { leakedValue } : {}) }));
      record({ kind: 're_revoked', actor: 'cordon', credentialId: credentialKey(target), of: key, attempt, result: r.outcome });
    }
    await sleep(1000 * attempt);
    v = await check();
    record(verified(key, v));
  }
  v = await fallbackLadder(run, c, v, check);
  if (dead(v) && v.cutOff) {
    // Gone from the tenant, alive for its owner: an honest state of its own, with the owner's action (issue: cut off ≠ dead).
    record({ kind: 'cut_off', actor: 'cordon', credentialId: key, ownerAction: v.cutOff });
    run.transition(key, 'cut_off');
    return;
  }
  run.transition(key, dead(v) ? 'verified_dead' : 'not_contained');
}

/** The rungs in order while the credential is alive; an unsupported rung is recorded and skipped. The last verification. */
async function fallbackLadder(run: Containment, c: Credential, last: VerifyResult, check: () => Promise<VerifyResult>): Promise<VerifyResult> {
  const key = credentialKey(c);
  const p = run.progressOf(key);
  let v = last;
  for (const rung of FALLBACK_RUNGS) {
    if (dead(v)) break;
    try {
      const r = await run.untilDeadline(`fallback ${rung} for ${c.label}`, () => run.acts.fallbackRung({ rung, credential: c }));
      p.fallbacksUsed.push(rung);
      run.record({ kind: 'fallback_rung', actor: 'cordon', credentialId: key, rung, result: r.outcome, ...(r.detail ? { detail: r.detail } : {}), ...(r.requestId ? { requestId: r.requestId } : {}) });
    } catch (err) {
      if (failureType(err) !== FAILURE_TYPES.unsupported) throw err;
      run.record({ kind: 'fallback_rung', actor: 'cordon', credentialId: key, rung, result: 'not_possible', detail: failureMessage(err) });
      continue;
    }
    v = await check();
    run.record(verified(key, v));
  }
  return v;
}

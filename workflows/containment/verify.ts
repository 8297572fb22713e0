// Step 5, verify: only Cordon's replacements remain (I3). A credential still alive gets a bounded
// re-revoke, then the fallback ladder named in the plan, then not_contained: never a silent success.
import { condition, patched, sleep } from '@temporalio/workflow';
import type { VerifyInput, VerifyResult } from '../../activities/index.ts';
import { FALLBACK_RUNGS } from '../../schemas/containment.ts';
import { credentialKey, type Credential } from '../../schemas/credential.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import { guarded, settleBranches } from './branches.ts';
import { planOf, withReadsQueued, type Containment } from './context.ts';
import { perProvider } from './per-provider.ts';
import { failureMessage, failureType } from './failures.ts';

/**
 * Verifies every credential not stopped by a refusal; every branch settles before the verdict. `ahead`: first
 * verifications already read beside the replacements (firstChecksAhead); a credential without one (or whose
 * read failed) is read now.
 */
export async function verify(run: Containment, ahead: FirstChecks = new Map()): Promise<void> {
  run.setStage('verify');
  const live = planOf(run).credentials.filter((c) => !run.refusedBecause.has(credentialKey(c)));
  const first = run.batchCalls ? await firstChecksPerProvider(run, live) : new Map<string, VerifyResult>();
  await settleBranches(run, live.map((c) => (branch: Containment) => guarded(branch, credentialKey(c), async () => verifyOne(branch, c, first.get(credentialKey(c)) ?? (await ahead.get(credentialKey(c)))))));
  // A read ahead for a credential stopped meanwhile is still awaited: nothing runs past the verdict (it never rejects).
  await Promise.all(ahead.values());
}

/**
 * Kinds whose replacements their verification never counts: a Salesforce grant is replaced by sessions of its
 * user, and a grant's verification counts only the user's other grants of the same app (activities/index.ts
 * verifyOne: the same kind and client). Their first verification needs no replacement's id, so it need not
 * wait for the replacements to be in.
 */
const VERIFIED_APART_FROM_REPLACEMENTS: readonly string[] = ['salesforce:refresh_token', 'salesforce:oauth_grant'];

/**
 * Recorded by a single fast-path run that read the first verification of such credentials beside their
 * replacements (firstChecksAhead); runs recorded before it read it once the replacements were in. Never rename it.
 */
export const VERIFY_BESIDE_REPLACEMENTS_PATCH = 'cordon-first-verification-beside-replacements';

/** First verifications read ahead, by credential key; undefined when the read failed (it is then made again). */
export type FirstChecks = ReadonlyMap<string, Promise<VerifyResult | undefined>>;

/**
 * A single run's first verification of each credential whose replacements it never counts, read as soon as the
 * re-authentication the plan names has ended what it ends (`ended`), beside the replacements still being minted:
 * a Salesforce replacement is a login and then a query for the session it opened, and that query no longer
 * stands between the logins and the verification's read. Only the read moves: verify() records its verdict once
 * the replacements are in, so a credential's states and evidence keep their order (replaced, re-authentication
 * forced, verified), and a credential still alive is re-revoked and taken down the ladder only then, as before.
 * The promises never reject: a failed or cancelled read leaves verify() to read again.
 */
export function firstChecksAhead(run: Containment, ended: () => boolean): FirstChecks {
  const ahead = new Map<string, Promise<VerifyResult | undefined>>();
  if (!run.singleRun) return ahead;
  const apart = planOf(run).credentials.filter((c) => !run.refusedBecause.has(credentialKey(c)) && VERIFIED_APART_FROM_REPLACEMENTS.includes(`${c.provider}:${c.kind}`));
  if (!apart.length || !patched(VERIFY_BESIDE_REPLACEMENTS_PATCH)) return ahead;
  // An activity on the run's own queue, not a local one: a local read would hold back the replacements' and
  // the re-authentication's completions for its length (context.ts besideWrites).
  const reads = withReadsQueued(run);
  const readAhead = async (c: Credential, key: string): Promise<VerifyResult | undefined> => {
    await condition(ended);
    // Only once its revoke is acknowledged (on the fast path it is by now, or it was refused).
    if (run.refusedBecause.has(key) || !REVOKED.includes(run.progressOf(key).state)) return undefined;
    try {
      return await reads.acts.verifyCredential({ ...verifyInput(run, c), workflowId: run.workflowId });
    } catch {
      return undefined;
    }
  };
  for (const c of apart) ahead.set(credentialKey(c), readAhead(c, credentialKey(c)));
  return ahead;
}

const REVOKED: readonly string[] = ['revoked', 'replaced', 'reauth_forced'];

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

// The verdict and the run's last evidence: restrictions undone first, then the outcome recorded,
// the replacement registry told the run ended, and the people notified. Nothing is written after it.
import { metricMeter, patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { ContainmentStatus, Outcome } from '../../schemas/containment.ts';
import type { EvidenceSeal } from '../../schemas/evidence.ts';
import { OUTCOME, STAGE } from '../search-attributes.ts';
import type { Containment } from './context.ts';
import { failureMessage } from './failures.ts';
import { EVERY_MESSAGE, MESSAGE_RECORDS_KEPT } from './messages.ts';
import { undoRestrictions } from './staged.ts';

/** The outcome once every credential is verified or refused, with the reason naming what is not dead. */
export function verdict(run: Containment): { outcome: Outcome; reason?: string } {
  const { state, refusedBecause } = run;
  const notDead = state.credentials.filter((p) => p.state !== 'verified_dead' && p.state !== 'cut_off');
  const cutOff = state.credentials.filter((p) => p.state === 'cut_off').map((p) => p.credentialId);
  const alive = notDead.filter((p) => !refusedBecause.has(p.credentialId)).map((p) => p.credentialId);
  const refused = notDead.filter((p) => refusedBecause.has(p.credentialId)).map((p) => `${p.credentialId}: ${refusedBecause.get(p.credentialId)}`);
  const reason = [
    ...(alive.length ? [`still active after re-revoke and the fallback ladder: ${alive.join(', ')}`] : []),
    ...(refused.length ? [`refused: ${refused.join('; ')}`] : []),
    ...(cutOff.length ? [`cut off from the tenant but alive for their owners until deleted: ${cutOff.join(', ')} (see the evidence for what the owners must do)`] : []),
  ].join('; ');
  return { outcome: notDead.length ? 'not_contained' : cutOff.length ? 'contained_in_tenant' : 'contained', ...(reason ? { reason } : {}) };
}

export async function finish(run: Containment, outcome: Outcome, reason?: string): Promise<ContainmentStatus> {
  const { state, record } = run;
  // Restrictions are undone before the verdict is recorded: nothing is written after it.
  if (state.restrictions.some((r) => !r.undone)) await undoRestrictions(run);
  delete state.waitingOn;
  state.outcome = outcome;
  metricMeter.createCounter('cordon_containments', 'runs', 'Containments finished, by outcome').add(1, { outcome, mode: run.input.mode });
  if (reason) state.outcomeReason = reason;
  state.finishedAt = run.now();
  state.stage = 'done';
  upsertSearchAttributes([{ key: STAGE, value: 'done' }, { key: OUTCOME, value: outcome }]);
  const { notRecorded } = run.messageRecords;
  if (notRecorded) {
    record({ kind: 'signal_ignored', actor: 'cordon', signal: EVERY_MESSAGE, reason: `${notRecorded} further refused or ignored message(s) counted, not recorded one by one (the first ${MESSAGE_RECORDS_KEPT} are)` });
  }
  record({ kind: 'finished', actor: 'cordon', outcome, ...(reason ? { reason } : {}) });
  // Not a provider write: the registry learns the run ended, so later runs are not bound by its claims.
  await run.notifier.releaseReplacementClaims({ workflowId: run.workflowId, principals: registryPrincipals(state) }).catch((err: unknown) => record({ kind: 'registry_note', actor: 'cordon', note: 'release_failed', reason: failureMessage(err) }));
  const contained = outcome === 'contained';
  await run.notify({ kind: contained ? 'completed' : 'not_contained', outcome, summary: `${outcome}${reason ? `: ${reason}` : ''}` });
  // The seal is the last thing a run does. Runs recorded before it existed replay without the activity.
  if (patched(EVIDENCE_SEAL_PATCH)) state.seal = await seal(run);
  return state;
}

/** Whose registries the run's claims are in: the owners of its credentials and the principals it re-authenticates. */
function registryPrincipals(state: ContainmentStatus): { provider: string; principalId: string }[] {
  const all = [
    ...state.scope.flatMap((r) => r.credentials.map((c) => ({ provider: c.provider, principalId: c.principal.id }))),
    ...(state.plan?.reauth ?? []).map((t) => ({ provider: t.provider, principalId: t.principal.id })),
  ];
  return [...new Map(all.map((p) => [`${p.provider}:${p.principalId}`, p])).values()];
}

/** The patch id of the evidence seal activity (recorded in history: never rename it). */
export const EVIDENCE_SEAL_PATCH = 'evidence-seal';

/** Signs the final digest in the worker; a failed signing leaves the run unsigned, with why (it never decides the outcome). */
async function seal(run: Containment): Promise<EvidenceSeal> {
  const digest = run.state.evidenceDigest!;
  try {
    return await run.notifier.sealEvidence({ workflowId: run.workflowId, digest });
  } catch (err) {
    return { signed: false, digest, reason: `signing failed: ${failureMessage(err)}` };
  }
}

/** After a permanent refusal before any credential was reached, or the containment deadline: every credential not dead is not_contained. */
export function markNotContained(run: Containment): void {
  for (const p of run.state.credentials) if (p.state !== 'verified_dead' && p.state !== 'not_contained') run.transition(p.credentialId, 'not_contained');
}

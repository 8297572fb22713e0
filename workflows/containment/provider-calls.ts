// Which activities call a provider, how each one's provider is found, and how a single run makes the call.
// One entry per activity: the type makes the table complete (a new activity does not compile until it is
// classified here), and provider-calls.test.ts checks it against the activities the worker registers.
import type { Activities } from '../../activities/index.ts';
import type { Provider } from '../../schemas/credential.ts';

/**
 * How a single direct run (not a mass child: those stay paced) makes a provider call:
 * - `local`: a local activity in the run's own worker, no task queue at all; for the short reads on the way
 *   to the revoke and the read that proves it dead. A local activity's result is only kept once the workflow
 *   task that ran it completes: a worker that dies before then loses it, and the retried task runs it again,
 *   which a read can afford;
 * - `own queue`: an activity on the run's own task queue, dispatched eagerly to the worker that scheduled
 *   it; for writes, whose attempt must be durable on its own (the revoke, a replacement's mint and delivery,
 *   the forced re-authentication, the fallback rungs, a restriction). Scheduling one completes the workflow
 *   task, so what the run read before the write is kept. A revoke made as a local activity was not: a worker
 *   killed after the provider applied it but before the task completed left a retried task that identified
 *   again, found the credential already dead, and ended the run `not_contained` ("no live credential
 *   matches") for the credential it had itself revoked.
 */
export type SingleRunCall = 'local' | 'own queue';

/** A provider call: the provider its input names, and how a single run makes it. */
export interface ProviderCall<I> {
  readonly provider: (input: I) => Provider;
  readonly singleRun: SingleRunCall;
}

type Input<K extends keyof Activities> = Parameters<Activities[K]>[0];

/** Every activity of `Activities`: a provider call, or `cordon` for Cordon's own steps (plan, registry, notifications, seal). */
export type ProviderCallTable = { readonly [K in keyof Activities]: ProviderCall<Input<K>> | 'cordon' };

export const PROVIDER_CALLS: ProviderCallTable = {
  identifyScope: { provider: (i) => i.ref.provider, singleRun: 'local' },
  // Refs and credentials of one provider read in one activity, by runs that are not single runs (context.ts batchCalls).
  identifyScopes: { provider: (i) => i.refs[0]!.provider, singleRun: 'local' },
  verifyCredentials: { provider: (i) => i.items[0]!.credential.provider, singleRun: 'local' },
  enrichScope: { provider: (i) => i.report.provider, singleRun: 'local' },
  scopeReauth: { provider: (i) => i.provider, singleRun: 'local' },
  // Runs recorded before REVOKE_ON_OWN_QUEUE_PATCH (context.ts) made it a local activity.
  revokeCredential: { provider: (i) => i.credential.provider, singleRun: 'own queue' },
  // Credentials of one provider revoked in one activity, by runs that are not single runs (context.ts batchCalls).
  revokeCredentials: { provider: (i) => i.items[0]!.credential.provider, singleRun: 'own queue' },
  verifyCredential: { provider: (i) => i.credential.provider, singleRun: 'local' },
  issueReplacement: { provider: (i) => i.credential.provider, singleRun: 'own queue' },
  // Replacements of one provider issued in one activity, by runs that are not single runs (context.ts batchCalls).
  issueReplacements: { provider: (i) => i.items[0]!.credential.provider, singleRun: 'own queue' },
  forceReauth: { provider: (i) => i.provider, singleRun: 'own queue' },
  fallbackRung: { provider: (i) => i.credential.provider, singleRun: 'own queue' },
  restrictCredential: { provider: (i) => i.credential.provider, singleRun: 'own queue' },
  unrestrictCredential: { provider: (i) => i.credential.provider, singleRun: 'own queue' },
  // The mass containment's dry-run planner (workflows/mass-containment.ts schedules it on the provider's queue).
  planMassRef: { provider: (i) => i.ref.provider, singleRun: 'own queue' },
  planMassGroup: { provider: (i) => i.refs[0]!.ref.provider, singleRun: 'own queue' },
  // GitHub's credential revocation: a per-tenant budget of its own, always on the paced queue (revoke.ts).
  revokeByValue: { provider: (i) => i.credential.provider, singleRun: 'own queue' },
  planContainment: 'cordon',
  // Reads through the credential sink, no connector: a single run's warm-up beside its revoke, on the run's own
  // queue (an activity, not a local one, which would hold the revoke's scheduling back); mass children never run it.
  prepareSinks: 'cordon',
  releaseReplacementClaims: 'cordon',
  sealEvidence: 'cordon',
  notify: 'cordon',
};

/** The provider call an activity is, or undefined for Cordon's own steps; an activity missing from the table is an error. */
export function providerCall(activity: string): ProviderCall<unknown> | undefined {
  if (!Object.hasOwn(PROVIDER_CALLS, activity)) {
    throw new Error(`activity ${activity} is not in PROVIDER_CALLS (workflows/containment/provider-calls.ts): say whether it calls a provider`);
  }
  const call = PROVIDER_CALLS[activity as keyof Activities];
  return call === 'cordon' ? undefined : (call as ProviderCall<unknown>);
}

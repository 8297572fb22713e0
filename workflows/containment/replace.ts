// Replacements: one per consumer, minted in parallel, unless another run owns that consumer's
// replacement (I8); a consumer whose credential an admin cannot mint is told to re-authorize.
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities, IssueReplacementInput, ReplacementOutcome } from '../../activities/index.ts';
import type { CollateralProgress } from '../../schemas/containment.ts';
import type { Consumer, Credential, ReplacementRef, ScopeReport, SinkRef } from '../../schemas/credential.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import { settleAll } from './branches.ts';
import type { Containment } from './context.ts';
import { failureMessage, failureType } from './failures.ts';

/** How a run's replacements are issued: the evidence's context, and how many claims for the principal go out at once. */
export interface ReplaceOptions {
  detail?: string;
  /** The claims the run starts at once for the credential's principal (issueReplacement's `claimsTogether`). */
  claimsTogether?: number;
  /** What a batch of the provider's replacements already did, by consumer id (contain.ts replacementsPerProvider); the rest are issued one by one. */
  issued?: ReadonlyMap<string, ReplacementOutcome>;
}

/** One replacement per consumer, unless another run owns that consumer's replacement (I8). */
export async function replaceFor(
  run: Containment,
  c: Credential,
  key: string,
  consumers: Consumer[],
  into: { replacements: ReplacementRef[]; notReplaced?: CollateralProgress['notReplaced'] },
  { detail, claimsTogether, issued }: ReplaceOptions = {},
): Promise<void> {
  const { acts, record } = run;
  // One replacement per consumer, minted in parallel: each is independent (its own claim, its own sink).
  const missing = consumers.filter((consumer) => !into.replacements.some((r) => r.consumerId === consumer.id));
  await settleAll(missing.map((consumer) => replaceOne(consumer)));
  async function replaceOne(consumer: Consumer): Promise<void> {
    try {
      const out =
        issued?.get(consumer.id) ??
        (await run.untilDeadline(`a replacement of ${c.label} for ${consumer.name}`, () => acts.issueReplacement(replacementInput(run, c, consumer, claimsTogether))));
      if ('issued' in out) {
        into.replacements.push(out.issued);
        const { replacementId, sink, fingerprint, note } = out.issued;
        record({ kind: 'replaced', actor: 'cordon', credentialId: key, consumerId: consumer.id, replacementId, sink, fingerprint, ...(note ? { note } : {}), ...(detail ? { context: detail } : {}) });
      } else {
        const why = `replacement ${out.replacementId ? `${out.replacementId} already issued` : 'being issued'} by containment ${out.ownedBy}`;
        into.notReplaced?.push({ consumerId: consumer.id, reason: why });
        record({ kind: 'replacement_owned_elsewhere', actor: 'cordon', credentialId: key, consumerId: consumer.id, ownedBy: out.ownedBy, ...(out.replacementId ? { replacementId: out.replacementId } : {}) });
      }
    } catch (err) {
      // Some credentials cannot be minted by an admin (a user's OAuth grant needs the user's consent):
      // the consumer is told to re-authorize; containment goes on.
      if (failureType(err) !== FAILURE_TYPES.unsupported) throw err;
      into.notReplaced?.push({ consumerId: consumer.id, reason: `must re-authorize: ${failureMessage(err)}` });
      record({ kind: 'replacement_not_possible', actor: 'cordon', credentialId: key, consumerId: consumer.id, reason: failureMessage(err) });
    }
  }
}

/** What issueReplacement (or one item of issueReplacements) is given for one consumer of `c`. */
export function replacementInput(run: Containment, c: Credential, consumer: Consumer, claimsTogether?: number): IssueReplacementInput {
  return {
    workflowId: run.workflowId,
    runStartedAt: run.state.startedAt,
    credential: c,
    consumer,
    ...(run.input.retryOf ? { retryOf: run.input.retryOf } : {}),
    ...(claimsTogether && claimsTogether > 1 ? { claimsTogether } : {}),
  };
}

/** Replacements for a planned credential's consumers; the credential is `replaced` once one is issued. */
export async function replacePrimary(run: Containment, c: Credential, key: string, consumers: Consumer[], options: ReplaceOptions = {}): Promise<void> {
  const p = run.progressOf(key);
  await replaceFor(run, c, key, consumers, p, options);
  if (p.replacements.length && p.state !== 'replaced') run.transition(key, 'replaced');
}

/**
 * Recorded by a fast-path run that reads its replacements' sinks ahead, beside the revoke (prepareSinksAhead);
 * runs recorded before it read them in each replacement, beside the mint. Never rename it.
 */
export const PREPARE_SINKS_PATCH = 'cordon-prepare-sinks-beside-revoke';

/**
 * The fast path's warm-up of the sinks its replacements will be delivered to, started beside the revoke: a
 * GitHub Actions secret needs the repository's public key (and Cordon's GitHub token to read it), two rounds
 * that otherwise came after the revoke, inside each replacement. It reads and writes nothing else (I1, I8);
 * the returned promise never rejects, and the run awaits it before its verdict (nothing runs unobserved). No activity when no consumer's sink is remote, nor in a mass containment's child, whose
 * calls are paced on the providers' queues and whose time is the whole mass run's, not one run's path.
 */
export async function prepareSinksAhead(run: Containment, reports: ScopeReport[]): Promise<void> {
  if (!run.singleRun) return;
  const targets = new Map<string, SinkRef>();
  for (const consumer of reports.flatMap((r) => r.credentials).flatMap((c) => c.consumers)) {
    // The local store needs nothing read ahead.
    if (consumer.sink && consumer.sink.type !== 'local') targets.set(JSON.stringify(consumer.sink), consumer.sink);
  }
  if (targets.size === 0 || !patched(PREPARE_SINKS_PATCH)) return;
  try {
    await warmUp.prepareSinks({ targets: [...targets.values()] });
  } catch {
    // A warm-up that failed or was cancelled (a worker without it, a timeout, the run cancelled) costs the
    // replacements their rounds, nothing more: the run's own steps see the cancellation, and this promise, which
    // the run may no longer await, never rejects.
  }
}

/** The warm-up, once: a read ahead is not worth retries that would hold the run's verdict back. On the run's own queue. */
const warmUp = proxyActivities<Activities>({ startToCloseTimeout: '20 seconds', retry: { maximumAttempts: 1 } });

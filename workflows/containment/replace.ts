// Replacements: one per consumer, minted in parallel, unless another run owns that consumer's
// replacement (I8); a consumer whose credential an admin cannot mint is told to re-authorize.
import type { CollateralProgress } from '../../schemas/containment.ts';
import type { Consumer, Credential, ReplacementRef } from '../../schemas/credential.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import { settleAll } from './branches.ts';
import type { Containment } from './context.ts';
import { failureMessage, failureType } from './failures.ts';

/** One replacement per consumer, unless another run owns that consumer's replacement (I8). */
export async function replaceFor(
  run: Containment,
  c: Credential,
  key: string,
  consumers: Consumer[],
  into: { replacements: ReplacementRef[]; notReplaced?: CollateralProgress['notReplaced'] },
  detail?: string,
): Promise<void> {
  const { input, acts, record } = run;
  // One replacement per consumer, minted in parallel: each is independent (its own claim, its own sink).
  const missing = consumers.filter((consumer) => !into.replacements.some((r) => r.consumerId === consumer.id));
  await settleAll(missing.map((consumer) => replaceOne(consumer)));
  async function replaceOne(consumer: Consumer): Promise<void> {
    try {
      const out = await run.untilDeadline(`a replacement of ${c.label} for ${consumer.name}`, () =>
        acts.issueReplacement({ workflowId: run.workflowId, runStartedAt: run.state.startedAt, credential: c, consumer, ...(input.retryOf ? { retryOf: input.retryOf } : {}) }),
      );
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

/** Replacements for a planned credential's consumers; the credential is `replaced` once one is issued. */
export async function replacePrimary(run: Containment, c: Credential, key: string, consumers: Consumer[], detail?: string): Promise<void> {
  const p = run.progressOf(key);
  await replaceFor(run, c, key, consumers, p, detail);
  if (p.replacements.length && p.state !== 'replaced') run.transition(key, 'replaced');
}

// A run that is not a single run makes some of its provider calls per provider, one activity for all of a
// provider's credentials (Containment.batchCalls): the revokes (contain.ts) and the first verification
// (verify.ts). What they share: the grouping, and that a batch which fails for good leaves its credentials
// to be called one by one by their own branches, each stopping only itself, as before.
import { isCancellation } from '@temporalio/workflow';
import { credentialKey, type Credential } from '../../schemas/credential.ts';
import type { Containment } from './context.ts';

/**
 * For each provider with more than one of `credentials`, `call` once with its group (answers in the group's
 * order); each answer `keep` turns into a value is kept by credential key. A cancellation goes on up.
 */
export async function perProvider<R, V>(run: Containment, credentials: Credential[], what: string, call: (group: Credential[]) => Promise<R[]>, keep: (answer: R) => V | undefined): Promise<Map<string, V>> {
  const byProvider = new Map<string, Credential[]>();
  for (const c of credentials) byProvider.set(c.provider, [...(byProvider.get(c.provider) ?? []), c]);
  const kept = new Map<string, V>();
  await Promise.all(
    [...byProvider.values()]
      .filter((group) => group.length > 1)
      .map(async (group) => {
        try {
          const answers = await run.untilDeadline(`${what} ${group.length} ${group[0]!.provider} credentials`, () => call(group));
          group.forEach((c, i) => {
            const value = answers[i] === undefined ? undefined : keep(answers[i]!);
            if (value !== undefined) kept.set(credentialKey(c), value);
          });
        } catch (err) {
          if (isCancellation(err)) throw err;
        }
      }),
  );
  return kept;
}

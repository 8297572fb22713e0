// Two attempts of one replacement at once. Temporal retries a replacement whose attempt it has given up on
// (a missed heartbeat, a start-to-close timeout) while that attempt may still be running on a starved or
// partitioned worker, so two attempts under one idempotency key can mint side by side. Each labels its mint
// with the key's hash (a deploy key's title, an uploaded Google key's certificate), and the sink keeps the
// first delivery under the key (connectors/sinks/types.ts): that delivery is the consumer's replacement.
//
// The order every connector follows, so that no attempt ends what the consumer holds:
//   1. mint; 2. deliver; 3. if the sink answers with another attempt's delivery, end this attempt's own mint
//   and report the other's; 4. if this delivery is the one kept, end every other mint under the label
//   (attempts that died before delivering, or that will lose at step 3 and end their own too);
//   0. an attempt that finds a delivery already kept mints nothing and does step 4 for it, since the attempt
//   that delivered may have died before its step 4.
// Steps 4 and 0 are skipped on the run's first claim on the consumer: no earlier attempt can have minted.
// Ending the labelled mints *before* minting (step 4 first), as the connectors once did, lets a retry end the
// key a slower, still running attempt is about to deliver: the consumer is sent a dead key while the retry's
// own stays live and held by nobody (docs/performance.md, P3: a run under heavy load left 23 of 150 consumers
// so; this race is a candidate cause, not a proven one).

import type { CredentialSink, DeliveredReplacement } from './sinks/types.ts';
import type { ReplacementIssued } from './types.ts';

/** The evidence's words for a mint that lost its delivery to another attempt, and was ended. */
export const lostDelivery = (minted: string) =>
  `another attempt of this replacement delivered first (it outlived its timeout beside this retry); its credential is the consumer's, and ${minted}, minted by this attempt, was ended`;

/** The evidence's words for the mints of earlier attempts ended once this one's delivery was kept. */
export const orphansDeleted = (ended: readonly string[]) =>
  `ended ${ended.length} credential(s) an earlier attempt of this replacement had minted and not delivered: ${ended.join(', ')}`;

/**
 * Steps 2 and 3: delivers this attempt's mint; when the sink kept another attempt's delivery instead, ends this
 * attempt's mint (`endOwn`) and gives what the replacement reports (`lost`: the kept delivery, with the note).
 */
export async function deliverOrEndOwn(sink: CredentialSink, delivery: Parameters<CredentialSink['deliver']>[0], endOwn: () => Promise<unknown>): Promise<{ kept: DeliveredReplacement; lost?: ReplacementIssued }> {
  const kept = await sink.deliver(delivery);
  if (kept.replacementId === delivery.replacementId) return { kept };
  await endOwn();
  return { kept, lost: { replacementId: kept.replacementId, fingerprint: kept.fingerprint, sink: kept.location, note: lostDelivery(delivery.replacementId) } };
}

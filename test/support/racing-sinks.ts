// Two attempts of one replacement at once (connectors/replacement-attempts.ts), as a test drives them: each
// attempt gets its own view of one sink that keeps the first delivery under a key. Neither finds a delivery
// when it looks; the first attempt's delivery waits until `firstMayDeliver()` holds (e.g. the second attempt
// has minted), and the second's until the first's is kept, so the second attempt's delivery loses.
import type { CredentialSink, DeliveredReplacement } from '../../connectors/sinks/types.ts';
import { fingerprintOf } from '../../connectors/fingerprint.ts';

export function racingSinks(firstMayDeliver: () => boolean) {
  const kept = new Map<string, DeliveredReplacement & { value: string }>();
  /** Every value an attempt offered, kept or not. */
  const offered: string[] = [];
  let firstKept!: () => void;
  const firstDone = new Promise<void>((r) => (firstKept = r));
  const keep: CredentialSink['deliver'] = async (d) => {
    offered.push(d.value.reveal());
    const record = kept.get(d.idempotencyKey) ?? { replacementId: d.replacementId, fingerprint: fingerprintOf(d.value.reveal()), location: `memory:${d.consumer.id}`, value: d.value.reveal() };
    kept.set(d.idempotencyKey, record);
    return { replacementId: record.replacementId, fingerprint: record.fingerprint, location: record.location };
  };
  const lookup = async (key: string) => {
    const r = kept.get(key);
    return r && { replacementId: r.replacementId, fingerprint: r.fingerprint, location: r.location };
  };
  const first: CredentialSink = {
    lookup,
    deliver: async (d) => {
      for (const until = Date.now() + 30_000; !firstMayDeliver(); ) {
        if (Date.now() > until) throw new Error('racingSinks: the first attempt waited 30 s to deliver');
        await new Promise((r) => setTimeout(r, 5));
      }
      const out = await keep(d);
      firstKept();
      return out;
    },
  };
  const second: CredentialSink = {
    lookup,
    deliver: async (d) => {
      await firstDone;
      return keep(d);
    },
  };
  return { first, second, kept, offered };
}

// The hygiene sweep (issue 7): inventory every configured connector, one activity per provider in
// parallel, then flag the inventory (a pure function, run as an activity so this file stays free of
// the clock). A provider that cannot be inventoried is a gap in the report, never a failed sweep.
// The persistence sweep lives here too: after a containment, what did the principal make?
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { SweepActivities } from '../activities/sweep.ts';
import type { HygieneReport, PersistenceReport } from '../schemas/sweep.ts';
import { HygieneSweepInput, PersistenceSweepInput } from '../schemas/sweep.ts';

const acts = proxyActivities<SweepActivities>({
  // A tenant-wide listing walks every user: far longer than one containment call.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

export async function hygieneSweep(raw: HygieneSweepInput = {}): Promise<HygieneReport> {
  const input = HygieneSweepInput.parse(raw ?? {});
  const providers = input.providers ?? (await acts.sweepConfiguredProviders());
  const outcomes = await Promise.all(
    providers.map((provider) =>
      acts.inventoryProvider({ provider }).catch((err: unknown) => {
        // Retries are spent (outage, rate limit that never lifted): say so in the report.
        const cause = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
        return { provider, missing: { state: 'unavailable' as const, error: cause } };
      }),
    ),
  );
  return acts.flagInventory({ outcomes, policy: input.policy });
}

export async function persistenceSweep(raw: PersistenceSweepInput): Promise<PersistenceReport> {
  return acts.findPersistence(PersistenceSweepInput.parse(raw));
}

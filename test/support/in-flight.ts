// Side by side or one after the other, from the emulators' side: the most requests of one kind the tenant held
// unanswered at once while `work` ran (under an injected latency, calls made side by side are all in flight
// together; calls made one after the other never are). Sampled every few milliseconds, so it does not depend
// on how fast the machine is, as comparing answer times would.
import type { CallRecord, Tenant } from '@cordon/emulators';

export async function mostInFlight<T>(tenant: Pick<Tenant, 'inFlight'>, filter: Partial<Pick<CallRecord, 'provider' | 'operation'>>, work: Promise<T>): Promise<{ result: T; most: number }> {
  let most = 0;
  let settled = false;
  const sampling = (async () => {
    while (!settled) {
      most = Math.max(most, tenant.inFlight(filter));
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    const result = await work;
    return { result, most };
  } finally {
    settled = true;
    await sampling;
  }
}

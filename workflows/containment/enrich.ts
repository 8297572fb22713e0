// After the revoke: the details identify left pending on a single direct run's fast path (the owner's name and
// status, last use, the app's name and sensitive scopes), read once the provider acknowledged the revoke and put
// where identify would have put them: the run's scope, the credentials' labels, the plan's copies and the
// evidence. Only reads that decide neither I6 nor I8 are ever left for later (connectors/types.ts, identify).
import { isCancellation } from '@temporalio/workflow';
import { applyCredentialEnrichment, applyEnrichment, credentialKey, type ScopeEnrichment, type ScopeReport } from '../../schemas/credential.ts';
import { settleBranches } from './branches.ts';
import type { Containment } from './context.ts';
import { failureMessage, failureType } from './failures.ts';

/** Reads what each report left pending, side by side; a failure is a blind spot of its report, never the run's end. */
export async function enrichPending(run: Containment, reports: ScopeReport[]): Promise<void> {
  const pending = reports.filter((r) => r.pendingEnrichment?.length);
  await settleBranches(run, pending.map((report) => (branch: Containment) => enrichOne(branch, report)));
}

async function enrichOne(run: Containment, report: ScopeReport): Promise<void> {
  const ids = (report.pendingEnrichment ?? []).map((p) => p.credentialId);
  let enrichment: ScopeEnrichment;
  try {
    // The activity's own retries only: these details never hold up the containment (no retry until the deadline).
    enrichment = await run.acts.enrichScope({ report });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const failed = `${failureType(err) ?? 'error'}: ${failureMessage(err)}`;
    const blindSpot = `the details of ${ids.join(', ')} (owner, last use) could not be read after the revoke: ${failed}`;
    applyEnrichment(report, { provider: report.provider, credentials: [], riskFlags: [], blindSpots: [blindSpot] });
    delete report.pendingEnrichment;
    run.record({ kind: 'enriched', actor: 'cordon', provider: report.provider, ref: report.ref, credentials: [], riskFlags: [], blindSpots: [blindSpot], failed });
    return;
  }
  applyEnrichment(report, enrichment);
  for (const e of enrichment.credentials) {
    const key = credentialKey({ provider: report.provider, id: e.credentialId });
    const progress = run.state.credentials.find((p) => p.credentialId === key);
    if (progress) progress.label = e.label;
    // The plan's copy (its digest names credentials by key only, so the details may change under it).
    const planned = run.plan?.credentials.find((c) => credentialKey(c) === key);
    if (planned) applyCredentialEnrichment(planned, e);
  }
  run.record({
    kind: 'enriched',
    actor: 'cordon',
    provider: report.provider,
    ref: report.ref,
    credentials: enrichment.credentials.map((e) => ({
      credentialId: credentialKey({ provider: report.provider, id: e.credentialId }),
      label: e.label,
      principal: e.principal.displayName || e.principal.id,
      principalStatus: e.principal.status,
      ...(e.lastUsedAt ? { lastUsedAt: e.lastUsedAt } : {}),
    })),
    riskFlags: enrichment.riskFlags,
    blindSpots: enrichment.blindSpots,
  });
}

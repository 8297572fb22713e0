// Step 1, identify: what each ref names, live, with its risk flags and what the connector cannot see.
import { upsertSearchAttributes } from '@temporalio/workflow';
import { credentialKey, type ScopeReport } from '../../schemas/credential.ts';
import { PROVIDERS } from '../search-attributes.ts';
import type { Containment } from './context.ts';

/** The scope reports, one per ref, with every credential found added to the run's progress. */
export async function identify(run: Containment): Promise<ScopeReport[]> {
  const { input, state, acts } = run;
  run.setStage('identify');
  // On the fast path the details that decide neither I6 nor I8 are read after the revoke (enrich.ts).
  const defer = run.enrichAfterRevoke ? { deferEnrichment: true } : {};
  const reports = await Promise.all(input.credentials.map((ref) => run.untilDeadline(`identifying ${ref.provider} ${ref.kind}`, () => acts.identifyScope({ ref, ...defer }))));
  state.scope = reports;
  upsertSearchAttributes([{ key: PROVIDERS, value: [...new Set(reports.map((r) => r.provider))] }]);
  reports.forEach((report, i) => {
    const leaked = input.credentials[i]!.leakedValue;
    for (const c of report.credentials) {
      const key = credentialKey(c);
      if (leaked) run.leakedValueOf.set(key, leaked);
      if (state.credentials.some((p) => p.credentialId === key)) continue;
      state.credentials.push({ credentialId: key, provider: c.provider, label: c.label, state: 'identified', transitions: [{ state: 'identified', at: run.now() }], replacements: [], fallbacksUsed: [] });
    }
    run.record({ kind: 'identified', actor: 'cordon', provider: report.provider, ref: report.ref, live: report.credentials.length, riskFlags: report.riskFlags, blindSpots: report.blindSpots });
  });
  return reports;
}

/** Why a run that found nothing ends not_contained. */
export function nothingFound(reports: ScopeReport[]): string {
  const flags = reports.flatMap((r) => r.riskFlags);
  return `no live credential matches the ref(s)${flags.length ? ` (${flags.join('; ')})` : ''}; check the identifiers`;
}

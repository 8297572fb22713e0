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
  const defer: { deferEnrichment?: true } = run.enrichAfterRevoke ? { deferEnrichment: true } : {};
  const reports = run.batchCalls
    ? await identifyPerProvider(run, defer)
    : await Promise.all(input.credentials.map((ref) => run.untilDeadline(`identifying ${ref.provider} ${ref.kind}`, () => acts.identifyScope({ ref, ...defer }))));
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

/** The reports in the refs' order, read in one activity per provider (Containment.batchCalls); a provider's lone ref as before. */
async function identifyPerProvider(run: Containment, defer: { deferEnrichment?: true }): Promise<ScopeReport[]> {
  const { input, acts } = run;
  const byProvider = new Map<string, number[]>();
  input.credentials.forEach((ref, i) => byProvider.set(ref.provider, [...(byProvider.get(ref.provider) ?? []), i]));
  const reports: ScopeReport[] = [];
  await Promise.all(
    [...byProvider].map(async ([provider, indices]) => {
      const refs = indices.map((i) => input.credentials[i]!);
      const found =
        refs.length === 1
          ? [await run.untilDeadline(`identifying ${provider} ${refs[0]!.kind}`, () => acts.identifyScope({ ref: refs[0]!, ...defer }))]
          : await run.untilDeadline(`identifying ${refs.length} ${provider} refs`, () => acts.identifyScopes({ refs, ...defer }));
      indices.forEach((at, j) => (reports[at] = found[j]!));
    }),
  );
  return reports;
}

/** Why a run that found nothing ends not_contained. */
export function nothingFound(reports: ScopeReport[]): string {
  const flags = reports.flatMap((r) => r.riskFlags);
  return `no live credential matches the ref(s)${flags.length ? ` (${flags.join('; ')})` : ''}; check the identifiers`;
}

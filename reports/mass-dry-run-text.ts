// A mass containment's dry run in words (`cordon contain --from FILE --dry-run`): one table line per ref,
// what needs a person (consumers re-authorizing by hand, re-authentication that ends more), the refs
// that would not be contained, then the blast radius. Pure: lines and totals in, text out.
import type { BlastRadius, DryRunRef } from '../schemas/mass.ts';

const BLAST_LABELS: [keyof BlastRadius, string][] = [
  ['credentialsToRevoke', 'credentials to revoke'],
  ['consumersReplaced', 'consumers that get a replacement'],
  ['consumersManual', 'consumers that must re-authorize by hand'],
  ['integrationsBroken', 'integrations broken until re-authorized'],
  ['reauthPrincipals', 'principals whose re-authentication ends other credentials'],
  ['collateralCredentials', 'other credentials that re-authentication ends'],
  ['notFound', 'refs not found'],
  ['refused', 'refs refused (self-lockout)'],
  ['failed', 'refs that could not be planned'],
];

export function blastRadiusText(blast: BlastRadius): string[] {
  const width = Math.max(...BLAST_LABELS.map(([, l]) => l.length));
  return [`Blast radius (${blast.planned} of ${blast.refs} refs planned)`, ...BLAST_LABELS.map(([k, l]) => `  ${l.padEnd(width)}  ${blast[k]}`)];
}

export function dryRunText(workflowId: string, blast: BlastRadius, refs: DryRunRef[]): string {
  const refWidth = Math.min(60, Math.max(3, ...refs.map((r) => r.ref.length)));
  const lines = [`Dry run ${workflowId}: ${blast.refs} refs — nothing was changed`, ''];
  lines.push(`  ${'#'.padStart(5)}  ${'ref'.padEnd(refWidth)}  ${'status'.padEnd(9)}  revoke  replaced  by hand  re-auth ends`);
  for (const r of refs) {
    const ends = r.reauth.reduce((n, t) => n + t.ends.length, 0);
    lines.push(
      `  ${String(r.index + 1).padStart(5)}  ${r.ref.slice(0, refWidth).padEnd(refWidth)}  ${r.status.padEnd(9)}  ${String(r.revoke.length).padStart(6)}  ${String(r.replaced.length).padStart(8)}  ${String(r.manual.length).padStart(7)}  ${String(ends).padStart(12)}`,
    );
  }
  const manual = refs.flatMap((r) => r.manual.map((m) => `  #${r.index + 1} ${m.name} (${m.consumer}, ${m.kind}) loses ${m.credential}: ${m.reason}`));
  if (manual.length) lines.push('', 'Must re-authorize by hand', ...manual);
  const reauth = refs.flatMap((r) => r.reauth.map((t) => `  #${r.index + 1} ${t.provider} ${t.name} (${t.principal}) also ends ${t.ends.join(', ')}`));
  if (reauth.length) lines.push('', 'Re-authentication ends other credentials (their consumers are counted above)', ...reauth);
  const skipped = refs.filter((r) => r.status !== 'planned').map((r) => `  #${r.index + 1} ${r.ref}: ${r.status.replace('_', ' ')} — ${r.reason ?? ''}`);
  if (skipped.length) lines.push('', 'Would not be contained', ...skipped);
  lines.push('', ...blastRadiusText(blast));
  return lines.join('\n');
}

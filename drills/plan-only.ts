// `cordon drill --plan-only`: the identify step alone, straight through the connectors (no Temporal,
// no worker), then the same buildPlan the workflow runs, so the printed digest is the one approvers
// would be asked to approve. Safe against a real tenant: identify only lists, gets and queries (plus
// each connector's own auth-token call); nothing is revoked, replaced, restricted or re-authenticated.
import type { ConnectorRegistry } from '../connectors/types.ts';
import { planRefs } from '../activities/plan-refs.ts';
import { credentialKey } from '../activities/plan.ts';
import type { Plan } from '../schemas/containment.ts';
import type { ScopeReport } from '../schemas/credential.ts';
import type { DrillDefinition } from '../schemas/drill.ts';

export interface PlanOnlyResult {
  kind: 'cordon.drill-plan';
  drill: string;
  mode: DrillDefinition['mode'];
  scope: ScopeReport[];
  /** Absent when the plan was refused (self-lockout, I6) or nothing was found. */
  plan?: Plan;
  refused?: string;
}

export async function planOnly(options: { connectors: ConnectorRegistry; drill: DrillDefinition }): Promise<PlanOnlyResult> {
  const { connectors, drill } = options;
  // Without Temporal there is no registry of other runs' replacements: a live run leaves those alone,
  // so its plan may list fewer credentials than this one.
  const planned = await planRefs({ connectors, refs: drill.refs, mode: drill.mode, waveSize: drill.waveSize, issuedElsewhere: async () => new Map() });
  return { kind: 'cordon.drill-plan', drill: drill.name, mode: drill.mode, ...planned };
}

/** The plan as people read it: what was found, what each step would do, and the digest. */
export function renderPlan(r: PlanOnlyResult): string {
  const lines = [`Drill ${r.drill} — plan only (mode ${r.mode}); nothing was changed`, '', 'Found'];
  for (const s of r.scope) {
    lines.push(`  ${s.ref}: ${s.credentials.length} live credential(s)`);
    for (const c of s.credentials) {
      lines.push(`    - ${c.label} [${c.provider}:${c.id}] ${c.kind}, owner ${c.principal.displayName} (${c.principal.type}, ${c.principal.status})`);
      lines.push(`      consumers: ${c.consumers.map((x) => `${x.name} (${x.id})`).join(', ') || 'none'}`);
    }
    for (const sa of s.relatedServiceAccounts) lines.push(`    related service account: ${sa.displayName} (${sa.id})`);
    for (const f of s.riskFlags) lines.push(`    risk: ${f}`);
    for (const b of s.blindSpots) lines.push(`    could not see: ${b}`);
  }
  if (r.refused) return [...lines, '', `Refused: ${r.refused}`].join('\n');
  const plan = r.plan!;
  lines.push('', `Plan (${plan.actions.length} actions, ${plan.waves} wave(s))`);
  plan.actions.forEach((a, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. ${a.step.padEnd(8)} ${a.credentialId}${a.consumerIds.length ? ` → ${a.consumerIds.join(', ')}` : ''}${a.wave ? ` (wave ${a.wave})` : ''}`);
  });
  if (plan.reauth.length) lines.push('', 'Re-authentication (everything it ends is in the plan; their consumers get replacements)');
  for (const t of plan.reauth) {
    lines.push(`  ${t.provider} ${t.principal.displayName} (${t.principal.id})${t.notPossible ? `: not possible: ${t.notPossible}` : ''}`);
    for (const c of t.ends) lines.push(`    ends ${c.label} [${credentialKey(c)}]; consumers: ${c.consumers.map((x) => x.name).join(', ') || 'none known'}`);
    for (const e of t.effects) lines.push(`    ${e}`);
    for (const l of t.leftAlone) lines.push(`    leaves alone ${l.credentialId}: ${l.reason}`);
  }
  lines.push('', `Plan digest ${plan.digest}`);
  return lines.join('\n');
}

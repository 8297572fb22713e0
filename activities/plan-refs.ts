// Planning without writing: identify, scope what re-authentication would end (I8), and build the plan
// the containment workflow would build, straight through the connectors. Shared by `cordon drill
// --plan-only` (drills/plan-only.ts) and the dry run of a mass containment (the planMassRef activity),
// so a rehearsal and a dry run plan exactly what a live run would. Identify only lists, gets and queries
// (plus each connector's own auth-token call): nothing is revoked, replaced, restricted or re-authenticated.
import { can } from '../connectors/capabilities.ts';
import type { ConnectorRegistry } from '../connectors/types.ts';
import { reauthPrincipals, type ContainmentMode, type Plan } from '../schemas/containment.ts';
import { describeRef, takeReauthScopes, type Credential, type CredentialRef, type Provider, type ScopeReport } from '../schemas/credential.ts';
import type { DryRunRef } from '../schemas/mass.ts';
import { buildPlan, credentialKey, SelfLockoutError } from './plan.ts';
import { scopeReauthWith } from './reauth-scope.ts';

export interface PlannedRefs {
  scope: ScopeReport[];
  /** Absent when the plan was refused (self-lockout, I6) or nothing was found. */
  plan?: Plan;
  refused?: string;
}

/** Of the given credential ids, the replacements another run issued: re-authentication leaves them alone (I8). */
export type IssuedElsewhere = (provider: Provider, principalId: string, ids: string[]) => Promise<ReadonlyMap<string, { workflowId: string; consumerId: string }>>;

export async function planRefs(options: { connectors: ConnectorRegistry; refs: CredentialRef[]; mode: ContainmentMode; waveSize: number; issuedElsewhere: IssuedElsewhere }): Promise<PlannedRefs> {
  const { connectors, refs } = options;
  const missing = [...new Set(refs.map((r) => r.provider))].filter((p) => !connectors[p]);
  if (missing.length) {
    throw new Error(`no ${missing.join(', ')} connector is configured; set its CORDON_<PROVIDER>_* variables (README, Configuration) or use --tenant local`);
  }
  // The identifyScope activity's logic, one ref at a time (design.md §2, step 1).
  const scope = await Promise.all(refs.map((ref) => connectors[ref.provider]!.identify(ref)));
  if (!scope.some((r) => r.credentials.length)) return { scope, refused: 'no live credential matches the ref(s); check the identifiers' };
  const targets = scope.flatMap((r) => r.credentials.map(credentialKey));
  // What identify already read of a principal's re-authentication scope is not read again (as the workflow does).
  const snapshots = takeReauthScopes(scope);
  const reauth = await Promise.all(
    reauthPrincipals(scope).map(({ provider, principal }) => {
      const snapshot = snapshots.get(`${provider}:${principal.id}`);
      return scopeReauthWith({ connector: connectors[provider]!, provider, principal, targets, issuedElsewhere: (ids) => options.issuedElsewhere(provider, principal.id, ids), ...(snapshot ? { snapshot } : {}) });
    }),
  );
  try {
    return { scope, plan: buildPlan({ mode: options.mode, waveSize: options.waveSize, reports: scope, reauth }) };
  } catch (err) {
    if (err instanceof SelfLockoutError) return { scope, refused: err.message };
    throw err;
  }
}

/**
 * Planned refs as dry-run lines, one per ref: what would be ended, which consumers get a replacement and
 * which must re-authorize by hand (the provider cannot re-issue that credential: connector
 * whyNoReplacement), and whose re-authentication ends more than the refs. Several refs planned together as
 * one containment (a mass containment's refs of one owner, which a live run contains in one child:
 * workflows/mass-owners.ts): each line holds what its own ref
 * found; the group's re-authentication, which a live run forces once, is on the first planned line only,
 * so the lines add up to the group's blast radius. Planned one ref at a time, each ref's re-authentication
 * would end its siblings as collateral, counted once per sibling, though the live run ends none of them
 * beyond the refs themselves.
 */
export function dryRunLinesOf(refs: { index: number; ref: CredentialRef }[], planned: PlannedRefs, connectors: ConnectorRegistry): DryRunRef[] {
  const { plan } = planned;
  const claimed = new Set<string>();
  let reauthShown = false;
  return refs.map(({ index, ref }, j): DryRunRef => {
    const empty = { index, ref: describeRef(ref), revoke: [], replaced: [], manual: [], reauth: [] };
    // One ref alone reads the whole scope; in a group, each ref its own report (scope is in the order of the refs).
    const found = refs.length === 1 ? planned.scope.flatMap((r) => r.credentials) : (planned.scope[j]?.credentials ?? []);
    if (!found.length) return { ...empty, status: 'not_found', reason: refs.length === 1 ? (planned.refused ?? 'no live credential matches the ref') : 'no live credential matches the ref' };
    if (!plan) return { ...empty, status: 'refused', reason: planned.refused ?? 'the plan was refused' };
    const foundKeys = new Set(found.map(credentialKey));
    // A credential two refs of the group both found is counted on the first.
    const mine = refs.length === 1 ? plan.credentials : plan.credentials.filter((c) => foundKeys.has(credentialKey(c)) && !claimed.has(credentialKey(c)));
    for (const c of mine) claimed.add(credentialKey(c));
    const reauth = reauthShown ? [] : plan.reauth;
    reauthShown = true;
    const line: DryRunRef = { ...empty, status: 'planned', revoke: mine.map(credentialKey), digest: plan.digest };
    for (const c of [...mine, ...reauth.flatMap((t) => t.ends)]) {
      const connector = connectors[c.provider]!;
      const why = can(connector, 'replace') ? connector.whyNoReplacement?.(c) : `the ${c.provider} connector cannot issue replacements`;
      for (const consumer of c.consumers) {
        const who = { credential: credentialKey(c), consumer: consumer.id, name: consumer.name };
        if (why) line.manual.push({ ...who, kind: consumer.kind, reason: why });
        else line.replaced.push(who);
      }
    }
    line.reauth = reauth.filter((t) => t.ends.length).map((t) => ({ provider: t.provider, principal: t.principal.id, name: t.principal.displayName, ends: t.ends.map(credentialKey) }));
    return line;
  });
}

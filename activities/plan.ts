// Building the plan: the ordered actions and the digest that approvals are bound to (design.md
// §1 "plan", I7), and the self-lockout guard (I6). Pure apart from hashing.
import { createHash } from 'node:crypto';
import { credentialKey, type Credential, type Principal, type Provider, type ScopeReport } from '../schemas/credential.ts';
import { FALLBACK_RUNGS, type ContainmentMode, type Plan, type PlanAction, type ReauthTarget } from '../schemas/containment.ts';

export class SelfLockoutError extends Error {
  override readonly name = 'SelfLockoutError';
}

// The key is shared with the workflow (schemas/), re-exported for the plan's other readers.
export { credentialKey };

export function buildPlan(input: { mode: ContainmentMode; waveSize: number; reports: ScopeReport[]; reauth?: ReauthTarget[] }): Plan {
  const seen = new Map<string, Credential>();
  for (const report of input.reports) for (const c of report.credentials) seen.set(credentialKey(c), c);
  const credentials = [...seen.values()].sort((a, b) => credentialKey(a).localeCompare(credentialKey(b)));

  const locked = credentials.filter((c) => c.selfOrLastAdmin);
  if (locked.length) {
    throw new SelfLockoutError(
      `refusing to contain ${locked.map((c) => `${c.provider} ${c.label} (${c.id})`).join(', ')}: ` +
        'it is Cordon’s own connector credential or the last admin path into the tenant, and revoking it would lock ' +
        'responders out (design.md I6). Rotate Cordon’s credential by hand, or give the tenant another admin first.',
    );
  }

  const actions: PlanAction[] = [];
  let waves = 0;
  for (const c of credentials) {
    const key = credentialKey(c);
    const consumerIds = c.consumers.map((x) => x.id);
    if (input.mode === 'staged' && c.consumers.length > 1) {
      // I2: restrict, then one replacement per consumer in approved waves, then revoke.
      // The consumers' egress ranges: the credential stays usable from there only while they are cut over.
      const allowlist = [...new Set(c.consumers.flatMap((x) => x.egress ?? []))].sort();
      actions.push({ step: 'restrict', credentialId: key, consumerIds: [], wave: 0, ...(allowlist.length ? { allowlist } : {}) });
      const chunks: string[][] = [];
      for (let i = 0; i < consumerIds.length; i += input.waveSize) chunks.push(consumerIds.slice(i, i + input.waveSize));
      chunks.forEach((chunk, i) => actions.push({ step: 'replace', credentialId: key, consumerIds: chunk, wave: i + 1 }));
      waves = Math.max(waves, chunks.length);
      actions.push({ step: 'revoke', credentialId: key, consumerIds: [], wave: chunks.length + 1 });
    } else {
      // I1: revoke first, replacements only after the provider acknowledged it.
      actions.push({ step: 'revoke', credentialId: key, consumerIds: [], wave: 0 });
      if (consumerIds.length) actions.push({ step: 'replace', credentialId: key, consumerIds, wave: 0 });
    }
    actions.push({ step: 'reauth', credentialId: key, consumerIds: [], wave: 0 });
    actions.push({ step: 'verify', credentialId: key, consumerIds: [], wave: 0 });
    // I3's ladder, named up front: each rung is used only if the credential is still alive (I8).
    for (const rung of FALLBACK_RUNGS) actions.push({ step: 'fallback', credentialId: key, consumerIds: [], wave: 0, rung });
  }
  // I8: what forced re-authentication ends is part of the plan, with the consumers who get replacements.
  const reauth = (input.reauth ?? []).map((t) => ({ ...t, ends: t.ends.filter((c) => !c.selfOrLastAdmin && !seen.has(credentialKey(c))) }));
  for (const t of reauth) {
    for (const c of t.ends) {
      const key = credentialKey(c);
      actions.push({ step: 'reauth', credentialId: key, consumerIds: [], wave: 0 });
      if (c.consumers.length) actions.push({ step: 'replace', credentialId: key, consumerIds: c.consumers.map((x) => x.id), wave: 0 });
    }
  }
  const digest = createHash('sha256')
    .update(
      JSON.stringify({
        mode: input.mode,
        credentials: credentials.map(credentialKey),
        actions,
        waves,
        reauth: reauth.map((t) => ({ provider: t.provider, principal: t.principal.id, ends: t.ends.map(credentialKey), effects: t.effects, leftAlone: t.leftAlone, notPossible: t.notPossible ?? null })),
      }),
    )
    .digest('hex');
  return { mode: input.mode, credentials, actions, waves, reauth, digest };
}

/**
 * One principal's re-authentication as the plan lists it (I8): what the connector says it would end, minus
 * the run's own targets (revoked anyway), Cordon's own credential (I6) and replacements another run issued.
 */
export function reauthTarget(input: {
  provider: Provider;
  principal: Principal;
  scope: { credentials: Credential[]; effects: string[] };
  targets: readonly string[];
  issuedElsewhere: ReadonlyMap<string, { workflowId: string; consumerId: string }>;
}): ReauthTarget {
  const target: ReauthTarget = { provider: input.provider, principal: input.principal, ends: [], effects: input.scope.effects, leftAlone: [] };
  for (const c of input.scope.credentials) {
    if (input.targets.includes(credentialKey(c))) continue;
    const owner = input.issuedElsewhere.get(c.id);
    if (owner) target.leftAlone.push({ credentialId: credentialKey(c), reason: `replacement issued by containment ${owner.workflowId} for ${owner.consumerId}` });
    else if (c.selfOrLastAdmin) target.leftAlone.push({ credentialId: credentialKey(c), reason: 'Cordon’s own credential (I6)' });
    else target.ends.push(c);
  }
  return target;
}

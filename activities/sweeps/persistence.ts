// The persistence sweep after a containment (issue 7): an attacker holding a credential makes more
// (new tokens, keys, deploy keys, OAuth grants, apps) so that revoking the first changes nothing.
// This lists what the compromised credential's principal holds now that was created, or shows in
// the provider's audit log, inside the exposure window, and offers each for containment.
import { can } from '../../connectors/capabilities.ts';
import type { Connector } from '../../connectors/types.ts';
import { ConnectorError } from '../../connectors/types.ts';
import { ContainmentInput, type ContainmentStatus } from '../../schemas/containment.ts';
import type { Credential, Principal, Provider } from '../../schemas/credential.ts';
import type { PersistenceFinding, PersistenceReport, PersistenceSweepInput } from '../../schemas/sweep.ts';
import { containmentForFinding } from './flags.ts';

type ParsedInput = Required<Pick<PersistenceSweepInput, 'provider' | 'principal' | 'from' | 'to' | 'incidentId'>> & { excludeIds: string[]; requester: string };

/** Audit actions that make a credential (use of an existing one is not persistence). */
const CREATION = /authori[sz]e|create|add|grant|install|generate|issue/i;

const inWindow = (iso: string | undefined, from: string, to: string) => iso !== undefined && Date.parse(iso) >= Date.parse(from) && Date.parse(iso) <= Date.parse(to);

export async function findPersistence(connector: Connector, input: ParsedInput): Promise<PersistenceReport> {
  const blindSpots = [...connector.blindSpots];
  const live = (await connector.listActive(input.principal)).filter((c) => !input.excludeIds.includes(c.id));
  const found = new Map<string, { credential: Credential; evidence: string }>();
  for (const c of live) {
    if (inWindow(c.createdAt, input.from, input.to)) found.set(c.id, { credential: c, evidence: `created ${c.createdAt}, inside the exposure window` });
  }
  const undated = live.filter((c) => !c.createdAt);
  if (undated.length > 0) {
    blindSpots.push(`${undated.length} live credential(s) of ${input.principal.id} have no creation time and may have been made in the window: ${undated.map((c) => c.id).join(', ')}`);
  }
  // The audit log catches what a creation time hides (a grant re-authorised in the window keeps its first date).
  if (can(connector, 'audit')) {
    try {
      for (const e of await connector.audit(input.principal, input.from)) {
        if (!e.credentialId || found.has(e.credentialId) || !inWindow(e.at, input.from, input.to) || !CREATION.test(e.action)) continue;
        const c = live.find((x) => x.id === e.credentialId);
        if (c) found.set(c.id, { credential: c, evidence: `audit: ${e.action} by ${e.actor} at ${e.at}` });
      }
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.retryable) throw err;
      blindSpots.push(`the ${input.provider} audit log could not be read (${err.kind}): only creation times were used`);
    }
  } else {
    blindSpots.push(`the ${input.provider} connector reads no audit log: only creation times were used`);
  }
  const findings: PersistenceFinding[] = [...found.values()].map((f, i) => ({
    ...f,
    ...(f.credential.selfOrLastAdmin
      ? {}
      : {
          offer: ContainmentInput.parse(
            containmentForFinding(f.credential, [`created by ${input.principal.id} during the exposure of incident ${input.incidentId}: ${f.evidence}`], {
              incidentId: `${input.incidentId}-persist-${i + 1}`,
              requester: input.requester,
              severity: 'high',
            }),
          ),
        }),
  }));
  return { provider: input.provider, principalId: input.principal.id, from: input.from, to: input.to, findings, blindSpots };
}

/**
 * The persistence sweeps a finished containment calls for: one per principal whose credential it
 * contained, the window running from `exposedSince` (when the leak may have started; the oldest
 * contained credential's creation when unknown) to the end of the containment.
 */
export function persistenceSweepsAfter(status: ContainmentStatus, options: { exposedSince?: string; requester?: string } = {}): PersistenceSweepInput[] {
  const plan = status.plan;
  if (!plan) return [];
  const handled = [
    ...plan.credentials.map((c) => c.id),
    ...status.credentials.flatMap((p) => p.replacements.map((r) => r.replacementId)),
  ];
  const to = status.finishedAt ?? new Date().toISOString();
  const byPrincipal = new Map<string, { provider: Provider; principal: Principal; created: string[] }>();
  for (const c of plan.credentials) {
    const key = `${c.provider}|${c.principal.id}`;
    const entry = byPrincipal.get(key) ?? { provider: c.provider, principal: c.principal, created: [] };
    if (c.createdAt) entry.created.push(c.createdAt);
    byPrincipal.set(key, entry);
  }
  return [...byPrincipal.values()].map((e) => ({
    provider: e.provider,
    principal: e.principal,
    from: options.exposedSince ?? e.created.sort()[0] ?? status.startedAt,
    to,
    excludeIds: handled,
    incidentId: status.incidentId,
    ...(options.requester ? { requester: options.requester } : {}),
  }));
}

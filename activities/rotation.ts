// Activities of rotation policies (docs/rotation.md). Planning lists a provider once and keeps only what a policy
// rotates, so history carries the due credentials, not the whole inventory; the switch check reads the provider's
// per-credential last-use record. Writes (mint, deliver, revoke, verify) are the containment's own activities
// (activities/index.ts), so a rotation's replacements are in the same registry (I8). Activity names are recorded in
// history: never rename one.
import { ApplicationFailure } from '@temporalio/common';
import type { ConnectorRegistry, CredentialLastUse } from '../connectors/types.ts';
import { can } from '../connectors/capabilities.ts';
import { canInventory } from '../connectors/inventory.ts';
import { ConnectorError } from '../connectors/types.ts';
import { createLogger, redactText, type Logger } from '../logging/logger.ts';
import { credentialKey, type Provider } from '../schemas/credential.ts';
import { durationMs } from '../schemas/containment.ts';
import { ADMIN_MINTABLE, policyMatches, rotationWorkflowId, type RotationItem, type RotationPlan, type RotationPolicy, type RotationSkip } from '../schemas/rotation.ts';
import { FAILURE_TYPES, mapFailures } from './failures.ts';

export interface RotationActivityDeps {
  connectors: ConnectorRegistry;
  logger?: Logger;
}

export type LastUseAnswer = { source: string; uses: CredentialLastUse[] } | { unsupported: string };

const DAY = 86_400_000;

export function createRotationActivities(deps: RotationActivityDeps) {
  const log = deps.logger ?? createLogger({ base: { component: 'rotation-activities' } });

  return {
    /**
     * What one policy rotates now: the provider's inventory, filtered by the policy's match and age. `only` names
     * credentials (credential keys) to rotate whatever their age: a flagged credential offered for rotation.
     */
    planRotation: mapFailures(async (input: { policy: RotationPolicy; only?: string[]; now?: string }): Promise<RotationPlan> => {
      const { policy } = input;
      const provider = policy.match.provider;
      const connector = deps.connectors[provider];
      const empty = { policy: policy.name, provider, due: [], skipped: [], notDue: 0, blindSpots: [] };
      if (!connector) return { ...empty, error: `no ${provider} connector is configured on this worker` };
      if (!canInventory(connector)) return { ...empty, error: `${provider}: this connector cannot list credentials tenant-wide` };
      let inventory;
      try {
        inventory = await connector.inventory();
      } catch (err) {
        if (err instanceof ConnectorError && !err.retryable) return { ...empty, error: redactText(err.message) };
        throw err;
      }
      const now = input.now ? Date.parse(input.now) : Date.now();
      const maxAge = durationMs(policy.maxAge);
      const due: RotationItem[] = [];
      const skipped: RotationSkip[] = [];
      let notDue = 0;
      for (const c of inventory.credentials) {
        const key = credentialKey(c);
        if (input.only ? !input.only.includes(key) : !policyMatches(policy.match, c)) continue;
        const created = c.createdAt ? Date.parse(c.createdAt) : Number.NaN;
        const ageDays = Number.isNaN(created) ? undefined : Math.floor(((now - created) / DAY) * 10) / 10;
        const skip = (reason: string) => skipped.push({ policy: policy.name, credentialId: key, label: c.label, reason });
        if (!input.only) {
          if (ageDays === undefined) {
            skip('the provider records no creation time: its age is unknown');
            continue;
          }
          if (now - created <= maxAge) {
            notDue++;
            continue;
          }
        }
        if (c.selfOrLastAdmin) skip("Cordon's own credential or the last admin path (design I6): rotate it by hand");
        else if (policy.mode === 'report') skip(`due (${ageDays ?? '?'} days old); the policy only reports`);
        else if (!ADMIN_MINTABLE[c.provider].includes(c.kind) || !can(connector, 'replace')) skip(`due; an admin cannot mint a ${c.kind} on ${c.provider}: its owner must rotate it`);
        else if (c.consumers.length === 0) skip('due; no consumer is on record, so no replacement can be delivered (revoking it could break an unknown user)');
        else due.push({ policy: policy.name, credential: c, ...(ageDays !== undefined ? { ageDays } : {}), workflowId: rotationWorkflowId(key) });
      }
      log.info('rotation planned', { policy: policy.name, provider, due: due.length, skipped: skipped.length, notDue });
      return { policy: policy.name, provider, due, skipped, notDue, blindSpots: inventory.blindSpots };
    }),

    /** When each credential last authenticated, on the provider's own record; `unsupported` when it keeps none. */
    credentialLastUse: mapFailures(async (input: { provider: Provider; credentialIds: string[] }): Promise<LastUseAnswer> => {
      const connector = deps.connectors[input.provider];
      if (!connector) throw ApplicationFailure.create({ type: FAILURE_TYPES.no_connector, nonRetryable: true, message: `no ${input.provider} connector is configured on this worker` });
      if (!can(connector, 'lastUse')) return { unsupported: connector.cannot.lastUse ?? `${input.provider}: this connector reads no last-use record` };
      const uses = await connector.lastUse(input.credentialIds);
      return { source: uses[0]?.source ?? input.provider, uses };
    }),
  };
}

export type RotationActivities = ReturnType<typeof createRotationActivities>;

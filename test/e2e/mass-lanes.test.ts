// A mass containment across providers where one provider is slow (at its rate limit, or a slow SaaS):
// its children hold their lane's share of the slots, not all of them, so the other providers' refs are
// contained meanwhile instead of waiting behind its backlog. The real dev server, worker and connectors
// on the local tenant; the slowness is the emulators' latency fault on every GitHub call.
import { expect, it } from 'vitest';
import { loadScenario } from '@cordon/emulators';
import { startMassContainment } from '../../client/mass.ts';
import { canInventory } from '../../connectors/inventory.ts';
import type { ConnectorRegistry } from '../../connectors/types.ts';
import type { Credential, CredentialRef } from '../../schemas/credential.ts';
import type { MassContainmentResult } from '../../schemas/mass.ts';
import { localStackPerTest } from '../support/local-stack.ts';

const lab = localStackPerTest();

/** One key of each of `n` different owners (service accounts, repositories): one child each. */
async function keysOfDistinctOwners(connectors: ConnectorRegistry, provider: 'google' | 'github', kind: string, n: number): Promise<Credential[]> {
  const c = connectors[provider];
  if (!c || !canInventory(c)) throw new Error(`the ${provider} connector cannot list credentials`);
  const byOwner = new Map<string, Credential>();
  for (const k of (await c.inventory()).credentials) if (k.kind === kind && !k.selfOrLastAdmin && !byOwner.has(k.principal.id)) byOwner.set(k.principal.id, k);
  const picked = [...byOwner.values()].slice(0, n);
  expect(picked).toHaveLength(n);
  return picked;
}

it('a slow provider first in the list holds its share of the slots: the fast provider\'s refs are contained while its children run', { timeout: 300_000 }, async () => {
  const { connectors } = await lab.start(loadScenario(120), { env: { CORDON_GITHUB_REVOKES_PER_HOUR: '360000' } });
  // Two deploy keys of two repositories first (a breach list sorted by provider), then four service-account keys of four accounts.
  const slow = await keysOfDistinctOwners(connectors, 'github', 'deploy_key', 2);
  const fast = await keysOfDistinctOwners(connectors, 'google', 'service_account_key', 4);
  const refs: CredentialRef[] = [...slow, ...fast].map((k) => ({ provider: k.provider, kind: k.kind, id: k.id }) as CredentialRef);
  // Every GitHub call takes 1.5 s: a deploy key's child makes a dozen of them.
  lab.tenant.injectFault({ provider: 'github', type: 'latency', latencyMs: 1_500 });
  const { client, target } = lab.worker;
  const { workflowId } = await startMassContainment(client, target.taskQueue, { incidentId: 'INC-mass-lanes', requester: 'alice', credentials: refs, concurrency: 2 });
  const handle = client.workflow.getHandle(workflowId);
  const result = (await handle.result()) as MassContainmentResult;
  lab.tenant.clearFaults();
  expect(result.notContained, JSON.stringify(result.notContained.slice(0, 2))).toEqual([]);
  expect(result.tally).toEqual({ contained: refs.length });

  // From the page run's history (the refs fit one page): when each child started and ended (its index is its place in `refs`).
  const events = (await client.workflow.getHandle(`${workflowId}-page-0`).fetchHistory()).events ?? [];
  const indexOf = (id: string | null | undefined) => Number(/-(\d+)$/.exec(id ?? '')![1]);
  const startedAt = new Map<number, number>();
  const endedAt = new Map<number, number>();
  for (const e of events) {
    const id = Number(e.eventId);
    const initiated = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (initiated) startedAt.set(indexOf(initiated.workflowId), id);
    const completed = e.childWorkflowExecutionCompletedEventAttributes;
    if (completed) endedAt.set(indexOf(completed.workflowExecution?.workflowId), id);
  }
  expect([...startedAt.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  const firstSlowEnd = Math.min(endedAt.get(0)!, endedAt.get(1)!);
  // In list order both slots went to the two GitHub children, and no Google child started before one of them ended.
  expect(startedAt.get(2)!, 'the first Google child started before a GitHub child ended').toBeLessThan(firstSlowEnd);
  // And the Google children went on one after the other in their lane: at least two of them were done before either GitHub child.
  expect([2, 3, 4, 5].filter((i) => endedAt.get(i)! < firstSlowEnd).length).toBeGreaterThanOrEqual(2);
});

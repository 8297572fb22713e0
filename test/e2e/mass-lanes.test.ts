// A mass containment across providers where one provider is slow (at its rate limit, or a slow SaaS):
// its children hold their lane's share of the slots, not all of them, so the other providers' refs are
// contained meanwhile instead of waiting behind its backlog. The real dev server, worker and connectors
// on the local tenant; the slowness is the emulators' latency fault on every GitHub call.
import { expect, it } from 'vitest';
import { loadScenario } from '@cordon/emulators';
import { startMassContainment } from '../../client/mass.ts';
import type { Client } from '@temporalio/client';
import type { MassContainmentResult } from '../../schemas/mass.ts';
import { localStackPerTest } from '../support/local-stack.ts';
import { keysOfDistinctOwners, refOf } from '../support/distinct-owners.ts';

const lab = localStackPerTest();

/** When each child started and ended, by its index (its place in the list), from the children themselves. */
async function childTimes(client: Client, workflowId: string, n: number): Promise<{ started: number[]; ended: number[] }> {
  const described = await Promise.all(Array.from({ length: n }, (_, i) => client.workflow.getHandle(`${workflowId}-${i}`).describe()));
  return { started: described.map((d) => d.startTime.getTime()), ended: described.map((d) => d.closeTime!.getTime()) };
}

it.each([
  // One page: the page run starts its children in provider lanes (or, since pages per provider, each provider has page runs of its own).
  { layout: 'in one page', order: ['github', 'github', 'google', 'google', 'google', 'google'], pageSize: undefined },
  // Pages of 2 with a deploy key on each of the first two: whole pages two at a time held the third page (Google only) until a deploy key's child ended.
  { layout: 'in pages of 2, a slow ref on each of the first two', order: ['github', 'google', 'github', 'google', 'google', 'google'], pageSize: 2 },
])('a slow provider holds only its own share ($layout): the fast provider\'s refs are contained while its children run', { timeout: 300_000 }, async ({ order, pageSize }) => {
  const { connectors } = await lab.start(loadScenario(120), { env: { CORDON_GITHUB_REVOKES_PER_HOUR: '360000' } });
  const slow = await keysOfDistinctOwners(connectors, 'github', 'deploy_key', 2);
  const fast = await keysOfDistinctOwners(connectors, 'google', 'service_account_key', 4);
  const picked = order.map((p) => (p === 'github' ? slow.shift()! : fast.shift()!));
  const refs = picked.map(refOf);
  // Every GitHub call takes 1.5 s: a deploy key's child makes a dozen of them.
  lab.tenant.injectFault({ provider: 'github', type: 'latency', latencyMs: 1_500 });
  const { client, target } = lab.worker;
  const { workflowId } = await startMassContainment(client, target.taskQueue, { incidentId: `INC-mass-lanes-${pageSize ?? 'one'}`, requester: 'alice', credentials: refs, concurrency: 2 }, pageSize ? { pageSize } : {});
  const result = (await client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
  lab.tenant.clearFaults();
  expect(result.notContained, JSON.stringify(result.notContained.slice(0, 2))).toEqual([]);
  expect(result.tally).toEqual({ contained: refs.length });

  const { started, ended } = await childTimes(client, workflowId, refs.length);
  const githubAt = order.flatMap((p, i) => (p === 'github' ? [i] : []));
  const googleAt = order.flatMap((p, i) => (p === 'google' ? [i] : []));
  const firstSlowEnd = Math.min(...githubAt.map((i) => ended[i]!));
  // Every Google child started before either GitHub child ended: before, the slow children held the slots (one
  // page) or the page slots (pages of 2), and the last Google refs waited for a GitHub child to end.
  for (const i of googleAt) expect(started[i]!, `Google ref ${i} started before a GitHub child ended`).toBeLessThan(firstSlowEnd);
  expect(googleAt.filter((i) => ended[i]! < firstSlowEnd).length).toBeGreaterThanOrEqual(2);
});

it('a provider\'s next page starts once its running pages have started all their children, not when their last child ends', { timeout: 300_000 }, async () => {
  const { connectors } = await lab.start(loadScenario(120), { env: { CORDON_GITHUB_REVOKES_PER_HOUR: '360000' } });
  // Four pages of one deploy key (one provider), two pages at a time, every GitHub call 1.5 s: every child is slow.
  const keys = await keysOfDistinctOwners(connectors, 'github', 'deploy_key', 4);
  const refs = keys.map(refOf);
  lab.tenant.injectFault({ provider: 'github', type: 'latency', latencyMs: 1_500 });
  const { client, target } = lab.worker;
  const { workflowId } = await startMassContainment(client, target.taskQueue, { incidentId: 'INC-mass-page-turnover', requester: 'alice', credentials: refs, concurrency: 4 }, { pageSize: 1 });
  const result = (await client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
  lab.tenant.clearFaults();
  expect(result.tally).toEqual({ contained: refs.length });
  const { started, ended } = await childTimes(client, workflowId, refs.length);
  // Before, pages 2 and 3 waited for page 0 or 1 to end (a page run ends with its last child).
  const firstEnd = Math.min(ended[0]!, ended[1]!);
  for (const i of [2, 3]) expect(started[i]!, `page ${i}'s child started before the children of pages 0 and 1 ended`).toBeLessThan(firstEnd);
});

// A mass containment of several credentials of one owner (every key of a few service accounts, every
// deploy key of a few repositories) on the local tenant: the real dev server, worker and connectors.
// Re-authentication of a service account or repository ends all of its keys, so children on one owner
// each holding one ref ended one another's targets and reported not_contained; refs of one owner now go
// to one child. Judged from the emulators' state and the children's own results: every ref contained,
// one child per owner, one live replacement per consumer, and no credential minted that no run recorded.
import { expect, it } from 'vitest';
import { massProgress, startMassContainment, type MassProgress } from '../../client/mass.ts';
import { canInventory } from '../../connectors/inventory.ts';
import type { ConnectorRegistry } from '../../connectors/types.ts';
import { loadScenario } from '@cordon/emulators';
import { coordinationTaskQueue, type ContainmentStatus } from '../../schemas/containment.ts';
import { credentialKey, type Credential, type CredentialRef } from '../../schemas/credential.ts';
import type { MassContainmentResult } from '../../schemas/mass.ts';
import { shardedRegistryId } from '../../activities/replacement-registry.ts';
import { localStackPerTest } from '../support/local-stack.ts';
import { registryOps } from '../support/registry-ops.ts';

const lab = localStackPerTest();

const KIND = { google: 'service_account_key', github: 'deploy_key' } as const;
type Provider = keyof typeof KIND;

async function liveKeys(connectors: ConnectorRegistry): Promise<Credential[]> {
  const out: Credential[] = [];
  for (const provider of ['google', 'github'] as const) {
    const c = connectors[provider];
    if (!c || !canInventory(c)) throw new Error(`the ${provider} connector cannot list credentials`);
    out.push(...(await c.inventory()).credentials.filter((k) => k.kind === KIND[provider] && !k.selfOrLastAdmin));
  }
  return out;
}

/** The first `owners` principals of `provider` holding at least three keys, with all of their keys. */
function wholeOwners(keys: Credential[], provider: Provider, owners: number): Credential[][] {
  const byOwner = new Map<string, Credential[]>();
  for (const k of keys.filter((x) => x.provider === provider)) byOwner.set(k.principal.id, [...(byOwner.get(k.principal.id) ?? []), k]);
  const picked = [...byOwner.values()].filter((ks) => ks.length >= 3).slice(0, owners);
  expect(picked).toHaveLength(owners);
  return picked;
}

// Pages of 4 with the refs interleaved put every owner's refs on several pages: the paged run moves them to the
// page of the owner's first ref (workflows/mass-owners.ts, pagesByOwner), so the owner is still one child.
it.each([
  { pages: 'in one page', pageSize: undefined },
  { pages: 'in pages of 4 that split every owner', pageSize: 4 },
])('contains every key of several service accounts and deploy key of several repositories in one mass run $pages: one child per owner, each ref contained, no orphan', { timeout: 600_000 }, async ({ pageSize }) => {
  const { connectors } = await lab.start(loadScenario(120), { env: { CORDON_GITHUB_REVOKES_PER_HOUR: '360000' } });
  const before = await liveKeys(connectors);
  const owners = [...wholeOwners(before, 'google', 2), ...wholeOwners(before, 'github', 2)];
  const targets = owners.flat();
  // Interleaved across owners, as a breach list would be: siblings are never next to one another.
  const order = Array.from({ length: Math.max(...owners.map((o) => o.length)) }, (_, i) => owners.map((o) => o[i])).flat().filter((k): k is Credential => !!k);
  const refs: CredentialRef[] = order.map((k) => ({ provider: k.provider, kind: k.kind, id: k.id }));
  const { client, target } = lab.worker;
  // The dry run first: it plans each owner's refs together as the live run's one child will contain them, so
  // its blast radius is what the live run does. Planned one ref at a time, each ref's re-authentication
  // ended its siblings: as many collateral credentials again, and their consumers counted many times over.
  const dry = await startMassContainment(client, target.taskQueue, { incidentId: `INC-mass-owners-dry-${pageSize ?? 'one-page'}`, requester: 'alice', credentials: refs, concurrency: 20, dryRun: true }, pageSize ? { pageSize } : {});
  const planned = (await client.workflow.getHandle(dry.workflowId).result()) as MassContainmentResult;
  expect(planned.dryRun!.blast).toMatchObject({
    refs: refs.length,
    planned: refs.length,
    credentialsToRevoke: refs.length,
    consumersReplaced: targets.reduce((n, k) => n + k.consumers.length, 0),
    collateralCredentials: 0,
    reauthPrincipals: 0,
  });

  // One deploy key's delete fails inside its child's batch of revokes: the child revokes that key again on its own.
  // (A call takes the first fault that applies to it: this one before the latency below.)
  lab.tenant.injectFault({ provider: 'github', operation: 'repos.deleteDeployKey', type: 'unavailable', times: 1 });
  // One deploy key's mint fails inside its child's batch of replacements: the child issues that one again on its own.
  lab.tenant.injectFault({ provider: 'github', operation: 'repos.createDeployKey', type: 'unavailable', times: 1 });
  // Provider calls take a while, as at a real SaaS: children on one owner overlap.
  lab.tenant.injectFault({ type: 'latency', latencyMs: 50 });

  // In one page, a run starts 1 child (an owner's refs) before continuing as new: counted in children, not refs.
  const childrenPerRun = pageSize ? undefined : 1;
  const { workflowId } = await startMassContainment(
    client,
    target.taskQueue,
    { incidentId: `INC-mass-owners-${pageSize ?? 'one-page'}`, requester: 'alice', credentials: refs, concurrency: 20, ...(childrenPerRun ? { childrenPerRun } : {}) },
    pageSize ? { pageSize } : {},
  );
  if (pageSize) expect(refs.length).toBeGreaterThan(pageSize * 2);
  // Progress as a client reads it while the run goes, across its continue-as-new.
  const readings: MassProgress[] = [];
  let closed = false;
  const reading = (async () => {
    while (!closed) {
      const p = await massProgress(client, workflowId).catch(() => undefined);
      if (p && !p.unansweredPages) readings.push(p);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const result = (await client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
  closed = true;
  await reading;
  lab.tenant.clearFaults();
  // Done is the refs settled, the same count as the tally's, in every reading: a continued run counted from its
  // offset (the first ref it left), which with owners grouped is fewer than the refs its predecessors settled.
  const settled = (p: MassProgress) => Object.values(p.tally).reduce((n, k) => n + k, 0);
  expect(readings.length).toBeGreaterThan(3);
  expect(readings.map((p) => `${p.done}/${settled(p)}`).filter((x) => x.split('/')[0] !== x.split('/')[1])).toEqual([]);
  expect(readings.every((p, i) => i === 0 || p.done >= readings[i - 1]!.done)).toBe(true);

  // Every ref contained, per ref: the tally counts refs, not children.
  expect(result.total).toBe(refs.length);
  expect(result.notContained, JSON.stringify(result.notContained.slice(0, 3))).toEqual([]);
  expect(result.tally).toEqual({ contained: refs.length });

  // One child per owner, named after its owner's first ref in the list; it held all of that owner's refs.
  const firstOf = owners.map((o) => Math.min(...o.map((k) => order.indexOf(k))));
  const statuses = await Promise.all(firstOf.map((i) => client.workflow.getHandle(`${workflowId}-${i}`).result() as Promise<ContainmentStatus>));
  const children = await client.workflow.count(`WorkflowType = "containCredential" AND TaskQueue = "${target.taskQueue}"`);
  expect(children.count).toBe(owners.length);
  if (childrenPerRun) {
    // Each provider's page run (patch mass-pages-per-provider) started `childrenPerRun` owners' children a run (patch
    // mass-window-by-children), continuing as new in between: the progress above was read across those runs.
    let runs = 0;
    for (const provider of ['google', 'github']) runs += (await client.workflow.count(`WorkflowType = "massContainment" AND WorkflowId = "${workflowId}-page-0-${provider}"`)).count;
    expect(runs).toBe(2 * Math.ceil(owners.length / 2 / childrenPerRun));
  }
  statuses.forEach((s, n) => {
    expect(s.outcome, s.outcomeReason).toBe('contained');
    expect(s.credentials.map((c) => c.credentialId).sort()).toEqual(owners[n]!.map(credentialKey).sort());
    expect(s.credentials.every((c) => c.state === 'verified_dead')).toBe(true);
  });
  // Each child identified its owner's refs, revoked them and verified them in one activity each (context.ts
  // batchCalls), not one of each per ref: three tasks on the provider's queue where there were three times the refs.
  // The deploy key whose delete failed in its batch was revoked once more on its own, by its child alone.
  // Their consumers' replacements too (patch cordon-batched-replacements): one activity, not one per consumer; the
  // deploy key whose mint failed in its batch was issued once more on its own.
  const alone: number[] = [];
  const issuedAlone: number[] = [];
  for (const i of firstOf) {
    const scheduled = ((await client.workflow.getHandle(`${workflowId}-${i}`).fetchHistory()).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    const count = (name: string) => scheduled.filter((n) => n === name).length;
    expect(['identifyScope', 'identifyScopes', 'revokeCredentials', 'verifyCredential', 'verifyCredentials', 'issueReplacements'].map((name) => `${name} ${count(name)}`)).toEqual([
      'identifyScope 0',
      'identifyScopes 1',
      'revokeCredentials 1',
      'verifyCredential 0',
      'verifyCredentials 1',
      'issueReplacements 1',
    ]);
    alone.push(count('revokeCredential'));
    issuedAlone.push(count('issueReplacement'));
  }
  expect(alone.reduce((a, b) => a + b)).toBe(1);
  expect(issuedAlone.reduce((a, b) => a + b)).toBe(1);

  // At the providers: no target alive; each owner holds exactly one live key per consumer, each one a
  // replacement a run recorded (no minted key that nobody holds).
  const after = await liveKeys(connectors);
  const recorded = new Set(statuses.flatMap((s) => [...s.credentials, ...s.collateral].flatMap((c) => c.replacements.map((r) => `${c.provider}:${r.replacementId}`))));
  for (const t of targets) expect(after.some((k) => k.id === t.id && k.provider === t.provider)).toBe(false);
  for (const o of owners) {
    const live = after.filter((k) => k.provider === o[0]!.provider && k.principal.id === o[0]!.principal.id);
    const orphans = live.filter((k) => !recorded.has(credentialKey(k)));
    expect(orphans.map((k) => k.id), 'live keys no run recorded (orphans)').toEqual([]);
    expect(live).toHaveLength(o.reduce((n, k) => n + k.consumers.length, 0));
  }

  // The registries answered every update: none of their workflow tasks failed or timed out.
  const registries = client.workflow.list({ query: `WorkflowType = "replacementRegistry" AND TaskQueue = "${coordinationTaskQueue(target.taskQueue)}"` });
  const troubles: string[] = [];
  for await (const r of registries) {
    const history = await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory();
    for (const e of history.events ?? []) {
      if (e.workflowTaskFailedEventAttributes) troubles.push(`${r.workflowId}: task failed (cause ${String(e.workflowTaskFailedEventAttributes.cause)})`);
      if (e.workflowTaskTimedOutEventAttributes) troubles.push(`${r.workflowId}: task timed out (${String(e.workflowTaskTimedOutEventAttributes.timeoutType)})`);
    }
  }
  expect(troubles).toEqual([]);

  // Each owner's registry was asked a claim and a record for every consumer its child served; those that waited
  // while three updates were in flight went out together (activities/replacement-registry.ts, registryBatcher).
  let ops = 0;
  let updates = 0;
  const claimUpdates: string[] = [];
  for (const [n, o] of owners.entries()) {
    const seen = await registryOps(client, shardedRegistryId(target.taskQueue, { provider: o[0]!.provider, principalId: o[0]!.principal.id }));
    const served = statuses[n]!.credentials.flatMap((c) => c.replacements.map((r) => `${c.credentialId}|${r.consumerId}`)).sort();
    expect(served).toHaveLength(o.reduce((k, c) => k + c.consumers.length, 0));
    expect([...new Set(seen.claims.map((c) => `${c.credentialId}|${c.consumerId}`))].sort()).toEqual(served);
    expect([...new Set(seen.records.map((r) => `${r.credentialId}|${r.consumerId}`))].sort()).toEqual(served);
    ops += seen.claims.length + seen.records.length;
    updates += seen.updates.filter((u) => u !== 'runFinished' && u !== 'noteUnlabelledMint').length;
    if (seen.claims.length >= 3) claimUpdates.push(`${seen.claims.length} claims in ${seen.claimsPerUpdate.length} update(s): ${seen.claimsPerUpdate.join('+')}`);
  }
  expect(updates, `${ops} claims and records in ${updates} updates`).toBeLessThan(ops);
  // The child said how many claims it starts for its owner at once (issueReplacement's claimsTogether): they
  // waited for one another and went in one update, where the first three always went one by one ("1+1+1+9").
  // The key revoked again on its own starts its replacements a round after its siblings', as may a straggler on
  // a loaded machine more than CLAIM_HOLD_MS after its first sibling: those go in an update of their own.
  expect(claimUpdates.length).toBeGreaterThan(0);
  expect(claimUpdates.filter((u) => /: 1\+1\+1/.test(u)), claimUpdates.join('; ')).toEqual([]);
  expect(claimUpdates.filter((u) => / in 1 update/.test(u)).length, claimUpdates.join('; ')).toBeGreaterThan(0);
});

// Salesforce: an integration user's grants (refresh tokens) are each a ref of their own (the bench's refs,
// `oauthtoken:<user id>:<hash>`), and re-authenticating the user ends every grant it holds. One child per
// grant ended its siblings' grants before they identified them: those refs read "no live credential
// matches … already revoked". The grant id names its user, so the user's refs now go to one child.
it('contains the grants of Salesforce integration users in one mass run: one child per user, each ref contained, each grant revoked once', { timeout: 600_000 }, async () => {
  // 12 grants over 2 integration users (6 each).
  const { connectors } = await lab.start(loadScenario(12));
  const sf = connectors.salesforce;
  if (!sf || !canInventory(sf)) throw new Error('the salesforce connector cannot list credentials');
  const grants = (await sf.inventory()).credentials.filter((c) => !c.selfOrLastAdmin);
  const byUser = new Map<string, Credential[]>();
  for (const g of grants) byUser.set(g.principal.id, [...(byUser.get(g.principal.id) ?? []), g]);
  const users = [...byUser.values()];
  expect(users.map((u) => u.length)).toEqual([6, 6]);
  // Every grant of the first user; the second user's first four, so its other two are the run's collateral.
  const owners = [users[0]!, users[1]!.slice(0, 4)];
  const order = Array.from({ length: 6 }, (_, i) => owners.map((o) => o[i])).flat().filter((k): k is Credential => !!k);
  const refs: CredentialRef[] = order.map((g) => ({ provider: 'salesforce', kind: g.kind, id: g.id }));
  const { client, target } = lab.worker;
  lab.tenant.injectFault({ type: 'latency', latencyMs: 50 });
  const { workflowId } = await startMassContainment(client, target.taskQueue, { incidentId: 'INC-mass-owners-salesforce', requester: 'alice', credentials: refs, concurrency: 2 });
  const result = (await client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
  lab.tenant.clearFaults();

  expect(result.notContained, JSON.stringify(result.notContained.slice(0, 3))).toEqual([]);
  expect(result.tally).toEqual({ contained: refs.length });
  const firstOf = owners.map((o) => Math.min(...o.map((g) => order.indexOf(g))));
  const children = await client.workflow.count(`WorkflowType = "containCredential" AND TaskQueue = "${target.taskQueue}"`);
  expect(children.count).toBe(owners.length);
  const statuses = await Promise.all(firstOf.map((i) => client.workflow.getHandle(`${workflowId}-${i}`).result() as Promise<ContainmentStatus>));
  statuses.forEach((s, n) => {
    expect(s.outcome, s.outcomeReason).toBe('contained');
    expect(s.credentials.map((c) => c.credentialId).sort()).toEqual(owners[n]!.map(credentialKey).sort());
    expect(s.credentials.every((c) => c.state === 'verified_dead')).toBe(true);
  });
  // The second user's two unnamed grants were ended by its re-authentication, as its child's plan listed.
  expect(statuses[1]!.collateral.map((c) => c.credentialId).sort()).toEqual(users[1]!.slice(4).map(credentialKey).sort());
  expect(statuses[0]!.collateral).toEqual([]);

  // At the provider: each grant of both users revoked by exactly one call that ended it, and none left live.
  const ended = lab.tenant.calls().filter((c) => c.provider === 'salesforce' && c.operation === 'oauth2.revokeToken' && c.status === 200 && !c.fault);
  const perGrant = new Map<string, number>();
  for (const c of ended) if (c.target) perGrant.set(c.target, (perGrant.get(c.target) ?? 0) + 1);
  expect([...perGrant.values()].filter((n) => n > 1)).toEqual([]);
  const left = (await sf.inventory()).credentials.filter((c) => byUser.has(c.principal.id));
  expect(left.map((c) => c.id)).toEqual([]);
});

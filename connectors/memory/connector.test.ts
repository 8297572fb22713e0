// The reference connector's re-authentication (I8): reauthScope lists, forceReauth ends exactly the list.
// In-process and over the loopback HTTP port the e2e workers use.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Consumer, Credential, Principal, SinkRef } from '../../schemas/credential.ts';
import type { Secret } from '../../logging/secret.ts';
import type { CredentialSink, DeliveredReplacement } from '../sinks/types.ts';
import { ConnectorError } from '../types.ts';
import { MemoryConnector } from './connector.ts';
import { remoteMemoryTenant, serveMemoryTenant } from './http.ts';
import { driftSeed } from './seeds.ts';
import { MemoryTenant } from './tenant.ts';
import { racingSinks } from '../../test/support/racing-sinks.ts';

const sink: CredentialSink = {
  async deliver(input: { idempotencyKey: string; replacementId: string; consumer: Consumer; target: SinkRef | undefined; value: Secret }): Promise<DeliveredReplacement> {
    return { replacementId: input.replacementId, fingerprint: 'f', location: `memory:${input.consumer.id}` };
  },
  async lookup() {
    return undefined;
  },
};

async function connectorError(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConnectorError) return err;
    throw err;
  }
  throw new Error('expected a ConnectorError');
}

const tenant = new MemoryTenant();
const principal = (id: string): Principal => ({ id, displayName: id, type: 'integration_user', status: 'active' });
const ids = (cs: Credential[]) => cs.map((c) => c.id).sort();

let served: { url: string; close(): Promise<void> };
beforeAll(async () => {
  served = await serveMemoryTenant(tenant);
});
afterAll(async () => served?.close());
beforeEach(() => tenant.load(driftSeed()));

describe.each([
  ['in process', () => new MemoryConnector(tenant)],
  ['over HTTP', () => new MemoryConnector(remoteMemoryTenant(served.url))],
])('forced re-authentication (%s)', (_name, make) => {
  it('reauthScope lists every live credential of the principal with its consumers, read-only', async () => {
    const memory = make();
    const scope = await memory.reauthScope(principal('drift-integration'));
    expect(ids(scope.credentials)).toEqual(['tok-drift-1', 'tok-other-app']);
    expect(scope.credentials.find((c) => c.id === 'tok-other-app')!.consumers.map((c) => c.id)).toEqual(['bi']);
    expect(scope.effects).toHaveLength(1);
    expect(tenant.calls().filter((c) => !['listActive', 'find'].includes(c.op))).toEqual([]);
    // Cordon's own credential is never offered (I6).
    expect(await memory.reauthScope(principal('cordon-bot'))).toEqual({ credentials: [], effects: [] });
  });

  it('forceReauth ends exactly the listed subset, then is already_done', async () => {
    const memory = make();
    const scope = await memory.reauthScope(principal('drift-integration'));
    const end = scope.credentials.filter((c) => c.id === 'tok-other-app');
    expect(await memory.forceReauth(principal('drift-integration'), end)).toMatchObject({ outcome: 'done', detail: expect.stringMatching(/^1 of the 1 listed/) });
    expect(tenant.credential('tok-other-app')?.status).toBe('revoked');
    expect(tenant.credential('tok-drift-1')?.status).toBe('active');
    expect(await memory.forceReauth(principal('drift-integration'), end)).toMatchObject({ outcome: 'already_done' });
    expect(await memory.forceReauth(principal('drift-integration'), [])).toMatchObject({ outcome: 'already_done' });
  });

  it('two attempts of one replacement at once: the one delivered first stays live, the other attempt revokes its own', async () => {
    const memory = make();
    const [old] = (await memory.identify({ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' })).credentials;
    await memory.revoke(old!);
    const issues = () => tenant.calls().filter((c) => c.op === 'issue').length;
    const before = issues();
    // The first attempt delivers once the second has found its mint (no value) and minted one of its own.
    const { first, second, kept } = racingSinks(() => issues() >= before + 3);
    const key = 'run-race|memory:tok-drift-1|drift-chat-sync';
    const consumer = old!.consumers[0]!;
    const firstAttempt = memory.replace(old!, consumer, key, first);
    await new Promise((r) => setTimeout(r, 20));
    const [a, b] = await Promise.all([firstAttempt, memory.replace(old!, consumer, key, second)]);
    const held = kept.get(key)!.replacementId;
    expect(tenant.credential(held)?.status).toBe('active');
    expect([a.replacementId, b.replacementId]).toEqual([held, held]);
    expect(b.note).toMatch(/another attempt of this replacement delivered first/);
    expect(ids(await memory.listActive(principal('drift-integration')))).toEqual([held, 'tok-other-app'].sort());
  });

  it('an attempt that finds a kept delivery revokes the mints its earlier attempts left under the key, never the kept one', async () => {
    const memory = make();
    const [old] = (await memory.identify({ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' })).credentials;
    await memory.revoke(old!);
    const consumer = old!.consumers[0]!;
    const key = 'run-died|memory:tok-drift-1|drift-chat-sync';
    // A first attempt minted and died before delivering; a second found that mint, minted its own, delivered it
    // (kept) and died before revoking the first one's.
    const died = (await tenant.issue({ replacesId: old!.id, consumerId: consumer.id, idempotencyKey: key })).credential.id;
    const delivered = (await tenant.issue({ replacesId: old!.id, consumerId: consumer.id, idempotencyKey: `${key}#orphan-${died}` })).credential.id;
    const keptSink: CredentialSink = { ...sink, lookup: async (k) => (k === key ? { replacementId: delivered, fingerprint: 'f', location: `memory:${consumer.id}` } : undefined) };
    const third = await memory.replace(old!, consumer, key, keptSink);
    expect(third.replacementId).toBe(delivered);
    expect(third.note).toMatch(new RegExp(`ended 1 credential\\(s\\).*${died}`));
    expect(tenant.credential(died)?.status).toBe('revoked');
    expect(ids(await memory.listActive(principal('drift-integration')))).toEqual([delivered, 'tok-other-app'].sort());
    // Once they are gone, a later attempt finds nothing more to end, and mints nothing.
    const issues = tenant.calls().filter((c) => c.op === 'issue').length;
    expect((await memory.replace(old!, consumer, key, keptSink)).note).toBeUndefined();
    expect(tenant.calls().filter((c) => c.op === 'issue').length).toBe(issues);
  });

  it('a replacement another run issued is listed but survives a forceReauth that does not name it (I8)', async () => {
    const memory = make();
    const [old] = (await memory.identify({ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' })).credentials;
    await memory.revoke(old!);
    const theirs = await memory.replace(old!, old!.consumers[0]!, 'run-b|memory:tok-drift-1|drift-chat-sync', sink);
    const scope = await memory.reauthScope(principal('drift-integration'));
    expect(ids(scope.credentials)).toEqual([theirs.replacementId, 'tok-other-app'].sort());
    await memory.forceReauth(principal('drift-integration'), scope.credentials.filter((c) => c.id !== theirs.replacementId));
    expect(tenant.credential(theirs.replacementId)?.status).toBe('active');
    expect(ids(await memory.listActive(principal('drift-integration')))).toEqual([theirs.replacementId]);
  });

  it('signs a related service account out of its session', async () => {
    const memory = make();
    const sa = principal('svc-drift-sync');
    const scope = await memory.reauthScope(sa);
    expect(ids(scope.credentials)).toEqual(['sess-drift-sync']);
    expect(await memory.forceReauth(sa, scope.credentials)).toMatchObject({ outcome: 'done' });
    expect(tenant.credential('sess-drift-sync')?.status).toBe('revoked');
    expect(tenant.calls().filter((c) => c.op === 'signOut').map((c) => [c.principalId, c.outcome])).toEqual([['svc-drift-sync', '1 ended']]);
  });

  it('refuses Cordon’s own credential (I6) and another principal’s credential, touching nothing', async () => {
    const memory = make();
    const [own] = (await memory.identify({ provider: 'memory', kind: 'api_key', id: 'cordon-own' })).credentials;
    expect((await connectorError(memory.forceReauth(principal('cordon-bot'), [own!]))).kind).toBe('conflict');
    const [alice] = (await memory.identify({ provider: 'memory', kind: 'oauth_token', id: 'tok-alice-1' })).credentials;
    expect((await connectorError(memory.forceReauth(principal('drift-integration'), [alice!]))).kind).toBe('invalid');
    expect(tenant.calls().filter((c) => c.op === 'signOut')).toEqual([]);
    expect(tenant.credential('cordon-own')?.status).toBe('active');
    expect(tenant.credential('tok-alice-1')?.status).toBe('active');
  });
});

// The GitHub Actions secret sink against the GitHub emulator: the sealed value arrives decrypted
// on the other side, and a retried delivery does not write twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, GitHubScenario, readScenarioFile } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import type { Consumer, SinkRef } from '../../schemas/credential.ts';
import { Secret } from '../../logging/secret.ts';
import { fingerprintOf } from '../fingerprint.ts';
import { GitHubConnectorConfig } from './config.ts';
import { createGitHubConnector } from './connector.ts';
import { ConnectorError } from '../types.ts';
import { GitHubActionsSecretSink } from './actions-secret-sink.ts';
import type { CredentialSink, DeliveredReplacement } from '../sinks/types.ts';

const ORG = 'acme-robotics';
const consumer: Consumer = {
  id: 'circleci-firmware',
  name: 'CircleCI project acme-robotics/firmware',
  kind: 'pipeline',
  sink: { type: 'github_actions_secret', owner: ORG, repo: 'firmware', secretName: 'CI_GITHUB_TOKEN' },
};

let tenant: LocalTenant;
let github: GitHubEmulator;
let dir: string;

beforeAll(async () => {
  tenant = await startLocalTenant();
  github = tenant.emulators.github as unknown as GitHubEmulator;
});
afterAll(async () => {
  await tenant?.close();
});
beforeEach(async () => {
  const section = readScenarioFile('circleci', 'github');
  tenant.load({ name: 'sink', description: '', github: GitHubScenario.parse(section) });
  dir = await mkdtemp(join(tmpdir(), 'cordon-gh-sink-'));
  return () => rm(dir, { recursive: true, force: true });
});

function sink(options: { fallback?: CredentialSink } = {}): GitHubActionsSecretSink {
  const connector = createGitHubConnector(GitHubConnectorConfig.fromEnv(tenant.connectorEnv()));
  return new GitHubActionsSecretSink({ octokit: connector.installationClient, indexDir: dir, ...options });
}

describe('GitHubActionsSecretSink', () => {
  it('seals the value into the Actions secret; the emulator decrypts exactly it', async () => {
    const s = sink();
    const out = await s.deliver({ idempotencyKey: 'wf-1/cred/circleci-firmware', replacementId: 'r-1', consumer, target: consumer.sink, value: new Secret('gho_newvalue0000000000000000000000000001') });
    expect(out).toEqual({ replacementId: 'r-1', fingerprint: fingerprintOf('gho_newvalue0000000000000000000000000001'), location: `github:${ORG}/firmware:CI_GITHUB_TOKEN` });
    expect(github.revealSecret(ORG, 'firmware', 'CI_GITHUB_TOKEN')).toBe('gho_newvalue0000000000000000000000000001');
    // The existing secret was updated (204), and the call log names the secret, never the value.
    const put = tenant.calls({ provider: 'github', operation: 'actions.createOrUpdateRepoSecret' });
    expect(put.map((c) => [c.status, c.target])).toEqual([[204, `secret:${ORG}/firmware:CI_GITHUB_TOKEN`]]);
    expect(JSON.stringify(tenant.calls())).not.toContain('gho_newvalue');
  });

  it('is idempotent by key, across sink instances sharing the index', async () => {
    const key = 'wf-2/cred/circleci-firmware';
    const first = await sink().deliver({ idempotencyKey: key, replacementId: 'r-first', consumer, target: consumer.sink, value: new Secret('first-value-123') });
    const again = await sink().deliver({ idempotencyKey: key, replacementId: 'r-second', consumer, target: consumer.sink, value: new Secret('second-value-456') });
    expect(again).toEqual(first);
    expect(github.revealSecret(ORG, 'firmware', 'CI_GITHUB_TOKEN')).toBe('first-value-123');
    expect(tenant.calls({ provider: 'github', operation: 'actions.createOrUpdateRepoSecret' })).toHaveLength(1);
    expect(await sink().lookup(key)).toEqual(first);
    expect(await sink().lookup('never-delivered')).toBeUndefined();
  });

  it('two deliveries under one key at once: both answer the record kept, and the secret ends holding its value', async () => {
    const key = 'wf-race/cred/circleci-firmware';
    const puts = () => tenant.calls({ provider: 'github', operation: 'actions.createOrUpdateRepoSecret' });
    // Attempt b writes first but its write is held 400 ms; attempt a writes and records meanwhile, so b's write
    // lands after a's and b's record loses: the order in which the secret would end holding the losing value.
    tenant.injectFault({ provider: 'github', operation: 'actions.createOrUpdateRepoSecret', type: 'latency', latencyMs: 400, times: 1 });
    const b = sink().deliver({ idempotencyKey: key, replacementId: 'r-b', consumer, target: consumer.sink, value: new Secret('value-of-attempt-b') });
    while (tenant.inFlight({ provider: 'github', operation: 'actions.createOrUpdateRepoSecret' }) === 0) await new Promise((r) => setTimeout(r, 2));
    const a = await sink().deliver({ idempotencyKey: key, replacementId: 'r-a', consumer, target: consumer.sink, value: new Secret('value-of-attempt-a') });
    expect(a.replacementId).toBe('r-a');
    expect(await b).toEqual(a);
    expect(await sink().lookup(key)).toEqual(a);
    // a's write, b's (held), then b writes a's sealed box back.
    expect(puts()).toHaveLength(3);
    expect(github.revealSecret(ORG, 'firmware', 'CI_GITHUB_TOKEN')).toBe('value-of-attempt-a');
  });

  it('creates a new secret (201) in another repo', async () => {
    const target: SinkRef = { type: 'github_actions_secret', owner: ORG, repo: 'web-portal', secretName: 'CORDON_NEW_TOKEN' };
    await sink().deliver({ idempotencyKey: 'wf-3', replacementId: 'r-3', consumer: { ...consumer, sink: target }, target, value: new Secret('brand-new-secret') });
    expect(github.revealSecret(ORG, 'web-portal', 'CORDON_NEW_TOKEN')).toBe('brand-new-secret');
    expect(tenant.calls({ provider: 'github', operation: 'actions.createOrUpdateRepoSecret' })[0]!.status).toBe(201);
  });

  it('a target without a github secret goes to the fallback sink, or is refused without one', async () => {
    const local: SinkRef = { type: 'local', name: 'x' };
    const err = await sink()
      .deliver({ idempotencyKey: 'wf-4', replacementId: 'r-4', consumer, target: local, value: new Secret('v-local-123') })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).kind).toBe('invalid');
    const delivered: string[] = [];
    const fallback: CredentialSink = {
      async deliver(input): Promise<DeliveredReplacement> {
        delivered.push(input.idempotencyKey);
        return { replacementId: input.replacementId, fingerprint: fingerprintOf(input.value.reveal()), location: 'local:x' };
      },
      async lookup() {
        return undefined;
      },
    };
    const out = await sink({ fallback }).deliver({ idempotencyKey: 'wf-5', replacementId: 'r-5', consumer, target: local, value: new Secret('v-local-123') });
    expect(out.location).toBe('local:x');
    expect(delivered).toEqual(['wf-5']);
  });

  it('reads the public key ahead (prepare): the delivery then only PUTs, and a second one to the same repo reads no key', async () => {
    const s = sink();
    await s.prepare(consumer.sink);
    const ops = () => tenant.calls({ provider: 'github' }).map((c) => `${c.operation}:${c.status}`).filter((o) => o.startsWith('actions.'));
    expect(ops()).toEqual(['actions.getRepoPublicKey:200']);
    await s.deliver({ idempotencyKey: 'wf-p1', replacementId: 'r-p1', consumer, target: consumer.sink, value: new Secret('prepared-value-0001') });
    const other: SinkRef = { type: 'github_actions_secret', owner: ORG, repo: 'firmware', secretName: 'OTHER_TOKEN' };
    await s.deliver({ idempotencyKey: 'wf-p2', replacementId: 'r-p2', consumer: { ...consumer, sink: other }, target: other, value: new Secret('prepared-value-0002') });
    expect(ops()).toEqual(['actions.getRepoPublicKey:200', 'actions.createOrUpdateRepoSecret:204', 'actions.createOrUpdateRepoSecret:201']);
    expect(github.revealSecret(ORG, 'firmware', 'CI_GITHUB_TOKEN')).toBe('prepared-value-0001');
    expect(github.revealSecret(ORG, 'firmware', 'OTHER_TOKEN')).toBe('prepared-value-0002');
  });

  it('a key that changed after it was read: the refused PUT (422) reads the new key and writes once more', async () => {
    const s = sink();
    await s.prepare(consumer.sink);
    github.rotateRepoPublicKey('firmware');
    await s.deliver({ idempotencyKey: 'wf-r1', replacementId: 'r-r1', consumer, target: consumer.sink, value: new Secret('after-rotation-0001') });
    const ops = tenant.calls({ provider: 'github' }).map((c) => `${c.operation}:${c.status}`).filter((o) => o.startsWith('actions.'));
    expect(ops).toEqual(['actions.getRepoPublicKey:200', 'actions.createOrUpdateRepoSecret:422', 'actions.getRepoPublicKey:200', 'actions.createOrUpdateRepoSecret:204']);
    expect(github.revealSecret(ORG, 'firmware', 'CI_GITHUB_TOKEN')).toBe('after-rotation-0001');
  });

  it('an unknown repo surfaces as not_found', async () => {
    const target: SinkRef = { type: 'github_actions_secret', owner: ORG, repo: 'no-such-repo', secretName: 'X' };
    const err = await sink()
      .deliver({ idempotencyKey: 'wf-6', replacementId: 'r-6', consumer, target, value: new Secret('v-abcdefgh') })
      .catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('not_found');
  });
});

// Orphans of an interrupted replacement: a worker that dies after the provider minted a replacement and
// before the sink delivered it leaves a live credential nobody holds. Google keys are labelled (the uploaded
// certificate's subject), so the retry finds and deletes them; an unlabelled mint (a GitHub installation
// token) is noted in the replacement registry before it happens, and the run names the possible orphan and
// when it expires.
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { connectClient, startContainment } from '../../client/containments.ts';
import { generateUploadableKey } from '../../connectors/google/uploaded-key.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { ConnectorError, type Connector } from '../../connectors/types.ts';
import { shardedRegistryId } from '../../activities/replacement-registry.ts';
import { type GoogleEmulator, Scenario, readScenarioFile } from '@cordon/emulators';
import { startLocalTenant } from '../../local-tenant/tenant.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { startTestWorker, testCodecKeys, testTarget } from '../support/temporal.ts';
import { registryOps } from '../support/registry-ops.ts';
import { killAllWorkerProcesses, startWorkerProcess } from '../support/worker-process.ts';

afterAll(killAllWorkerProcesses);

const drift = Scenario.parse({
  ...(readScenarioFile('salesloft-drift', 'scenario') as object),
  google: readScenarioFile('salesloft-drift', 'google'),
});
const DRIFT_SA = 'drift-sync@acme-integrations.iam.gserviceaccount.com';
const DRIFT_KEY_ID = '9a2b7c4d1e0f5a6b3c8d9e2f1a0b7c6d5e4f3a21';
const UPLOAD = 'projects.serviceAccounts.keys.upload';

const until = async (what: string, ok: () => boolean, ms = 20_000) => {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

it('google: a worker killed while its key uploads are in flight leaves orphans the retry deletes; one live key per consumer, nobody else’s key touched', async () => {
  const tenant = await startLocalTenant({ scenario: drift });
  const google = tenant.emulators.google as unknown as GoogleEmulator;
  const target = testTarget();
  const keys = testCodecKeys();
  const env = {
    ...tenant.connectorEnv(),
    TEMPORAL_ADDRESS: String(target.connectionOptions.address),
    TEMPORAL_NAMESPACE: target.namespace,
    CORDON_TASK_QUEUE: target.taskQueue,
    CORDON_CODEC_KEYS: `test:${keys.keys.get('test')!.toString('base64')}`,
    CORDON_SINK_DIR: await mkdtemp(join(tmpdir(), 'cordon-orphan-sink-')),
    CORDON_SINK_KEY: randomBytes(32).toString('base64'),
    CORDON_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    CORDON_LOG_LEVEL: 'warn',
  };
  const client = await connectClient(target, keys);
  const account = google.state.account(DRIFT_SA)!;
  const cordonUploads = () => [...google.state.keys.entries()].filter(([, k]) => k.serviceAccount === DRIFT_SA && k.uploadedCertificatePem?.includes('BEGIN CERTIFICATE') && isCordons(k.uploadedCertificatePem));
  try {
    // Every upload takes 3 s at Google: the worker dies while both consumers' uploads are in flight.
    tenant.injectFault({ provider: 'google', operation: UPLOAD, type: 'latency', latencyMs: 3000 });
    const first = await startWorkerProcess(env);
    const { workflowId } = await startContainment(client, target.taskQueue, {
      incidentId: `INC-orphan-${randomBytes(3).toString('hex')}`,
      requester: 'alice',
      credentials: [{ provider: 'google', kind: 'service_account_key', keyId: DRIFT_KEY_ID }],
    });
    // The leaked key is deleted (I1), then each replacement uploads its key (a first attempt lists nothing before:
    // no attempt of this run can have minted yet).
    await until('the revocation', () => tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' }).some((c) => c.status === 200));
    await until('both uploads at Google', () => tenant.inFlight({ provider: 'google', operation: UPLOAD }) === 2);
    const revokedAt = tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' })[0]!.seq;
    expect(tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.list' }).filter((c) => c.seq > revokedAt).length).toBeLessThanOrEqual(1); // the re-authentication's scope read, beside the revoke
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(tenant.calls({ provider: 'google', operation: UPLOAD })).toHaveLength(0); // in flight, not answered

    // Google finishes the uploads the dead worker asked for: keys whose private halves died with it.
    await until('the dead worker’s uploads to land', () => cordonUploads().length === 2, 10_000);
    const orphans = cordonUploads().map(([name]) => name);
    tenant.clearFaults('google');
    // Meanwhile someone else adds keys to the same account: one created by Google, one uploaded. Both must survive (I8).
    const [theirCreated] = google.state.mintKey(account);
    const theirCert = new X509Certificate((await generateUploadableKey('ops-team-rotation')).certificatePem);
    const [theirUploaded] = google.state.uploadKey(account, theirCert.toString(), theirCert.publicKey.export({ type: 'spki', format: 'pem' }).toString(), new Date());

    await startWorkerProcess(env);
    const result = (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const cred = result.credentials[0]!;
    expect(cred.state).toBe('verified_dead');
    expect(cred.replacements.map((r) => r.consumerId).sort()).toEqual(['drift-chat-sync', 'salesloft-cadence']);

    // The orphans are gone, deleted by the retries that found them by their label; each retry's evidence says so.
    for (const o of orphans) expect(google.state.keys.has(o)).toBe(false);
    const deleted = tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' }).filter((c) => c.status === 200).map((c) => c.target);
    expect(deleted.sort()).toEqual([`projects/acme-integrations/serviceAccounts/${DRIFT_SA}/keys/${DRIFT_KEY_ID}`, ...orphans].sort());
    expect(cred.replacements.every((r) => orphans.some((o) => r.note?.includes(o)))).toBe(true);
    // Exactly one live Cordon key per consumer: the ones the run reports.
    const live = cordonUploads().map(([name]) => name);
    expect(live.sort()).toEqual(cred.replacements.map((r) => r.replacementId).sort());
    // Nobody else's key was touched.
    for (const k of [theirCreated, theirUploaded]) expect(google.state.keys.get(k)?.disabled).toBe(false);
  } finally {
    await client.connection.close();
    await tenant.close();
  }
});

it('an unlabelled mint (a GitHub installation token) interrupted before delivery: the run names the possible orphan and when it expires', async () => {
  // Cordon mints installation tokens only for its own installation, which no plan may end (I6), so the
  // activity's side is driven here with a connector that mints like one: a memory tenant whose replace
  // declares an unlabelled mint, and whose first mint dies after the provider answered and before delivery.
  const tenant = new MemoryTenant(driftSeed());
  const memory = new MemoryConnector(tenant);
  let interrupted = 0;
  const unlabelled: Connector = new Proxy(memory, {
    get(target, prop) {
      if (prop === 'unlabelledMint') return () => ({ what: 'installation token of installation 42', whyNotEnded: 'GitHub revokes an installation token only with its own value', lifetimeMs: 3_600_000 });
      if (prop === 'replace')
        return async (...args: Parameters<NonNullable<Connector['replace']>>) => {
          if (args[1].id === 'drift-chat-sync' && interrupted++ === 0) throw new ConnectorError('unavailable', 'memory', 'memory: worker lost after the mint');
          return memory.replace(...args);
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const worker = await startTestWorker({ connectors: { memory: unlabelled }, sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-orphan-')), randomBytes(32)) });
  try {
    const { workflowId } = await startContainment(worker.client, worker.target.taskQueue, {
      incidentId: `INC-orphan-${randomBytes(3).toString('hex')}`,
      requester: 'alice',
      credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }],
    });
    const startedAt = Date.now();
    const result = (await worker.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome, result.outcomeReason).toBe('contained');
    expect(interrupted).toBeGreaterThanOrEqual(2);
    const replacements = result.credentials[0]!.replacements;
    const reported = replacements.find((r) => r.consumerId === 'drift-chat-sync')!;
    // The retry found the earlier attempt's note in the registry and no delivery: a possible orphan, with its deadline.
    expect(reported.note).toMatch(/^possible orphan: an earlier attempt \(from \S+\) stopped between minting and delivering; the installation token of installation 42 it may have minted cannot be ended \(GitHub revokes an installation token only with its own value\) and expires by (\S+) at the latest$/);
    const expiresBy = Date.parse(/expires by (\S+) at the latest/.exec(reported.note!)![1]!);
    expect(expiresBy).toBeGreaterThan(startedAt + 3_600_000);
    expect(expiresBy).toBeLessThanOrEqual(Date.now() + 3_600_000);
    // Consumers whose first mint was delivered carry no such note; the evidence names the orphan too.
    for (const r of replacements.filter((x) => x.consumerId !== 'drift-chat-sync')) expect(r.note).toBeUndefined();
    const evidence = result.evidence.flatMap((e) => (e.kind === 'replaced' && e.note?.includes('possible orphan') ? [e] : []));
    expect(evidence).toHaveLength(1);
    expect(evidence[0]!.consumerId).toBe('drift-chat-sync');
    // Each mint was noted by the claim that won its consumer, in one registry update: no update of its own.
    const principalId = result.scope.flatMap((s) => s.credentials)[0]!.principal.id;
    const seen = await registryOps(worker.client, shardedRegistryId(worker.target.taskQueue, { provider: 'memory', principalId }));
    expect(seen.claims.length).toBeGreaterThanOrEqual(replacements.length + 1); // the interrupted attempt's claim too
    expect(seen.updates.filter((n) => n === 'noteUnlabelledMint')).toEqual([]);
  } finally {
    await worker.stop();
  }
});

function isCordons(pem: string): boolean {
  try {
    return new X509Certificate(pem).subject.startsWith('CN=cordon-replacement:');
  } catch {
    return false;
  }
}

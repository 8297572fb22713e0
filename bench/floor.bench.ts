// `npm run bench:floor` (also run by `npm run bench`): P1 of issue 14, one credential per provider in
// direct mode, as a ratio to the provider floor. For Google, GitHub, Salesforce and Slack on the local
// emulators (shipped scenarios `circleci` and `salesloft-drift`), with 0, 50 and 200 ms injected on every
// provider call (the emulators' own `latency` fault), it measures:
//   - Cordon: a real worker with the real connectors on a throwaway Temporal dev server; time from the
//     client's start call to the credential's `revoked` and `verified_dead` transitions;
//   - the floor: the calls a minimal plain script makes with the same SDKs (googleapis, @octokit/rest,
//     jsforce, @slack/web-api) against the same emulators with the same latency: its own token, what it
//     takes to find the credential, the revoke; then, side by side, one replacement per consumer and the
//     re-authentication (the principal's other credentials Cordon's plan ends); then one read that shows
//     the credential dead. Two floors: the informed one knows where the credential is (the Google key's
//     account, that the GitHub key exists, the Slack token's owner) and revokes after its own token; the
//     finding one is given what Cordon's request gives and finds the credential first, as the runbook
//     does (Google: the projects' accounts, then their keys; GitHub: the key; Slack: `auth.test`;
//     Salesforce's query is the same in both, since a grant's DeleteToken is known no other way). A third,
//     the delivering floor, finds it too and also delivers each replacement where its consumer reads it, as
//     Cordon does: the Google key's and the deploy key's consumers read theirs from GitHub Actions secrets,
//     so it seals each value with the repository's public key and PUTs it (the installation token and the
//     public keys read ahead, beside everything else: they depend on nothing). Salesforce's and Slack's
//     consumers make no provider call for it (a local store; no replacement), so there it is the finding floor.
// It prints p50/p99 and the ratios, one line per provider on where the overhead goes (provider calls
// before the revoke and before verified dead, from the emulators' call log), and writes the figures as
// JSON under .cordon/bench/. `--quick`: 2 runs per cell (under a minute on a quiet machine). Numbers, not pass/fail.
//
// What no floor does: claim the replacements in a registry, read which session a Salesforce login opened (what
// Cordon's verification needs to tell its replacements from anything else alive, I3), or keep evidence; the
// informed and finding floors do not deliver the replacements either. It knows in advance what a script written for this
// one credential would know: which account holds the key, how many consumers it has, which other keys the
// re-authentication ends (read once, before its first timed run).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime, DefaultLogger, NativeConnection } from '@temporalio/worker';
import { google } from 'googleapis';
import { Octokit } from '@octokit/rest';
import sodium from 'libsodium-wrappers';
import { Connection as SalesforceConnection } from 'jsforce';
import { WebClient } from '@slack/web-api';
import { Client } from '@temporalio/client';
import { startContainment } from '../client/containments.ts';
import { cordonDataConverter } from '../codec/encryption-codec.ts';
import { connectorsFromEnv } from '../connectors/registry.ts';
import { LocalEncryptedStore } from '../connectors/sinks/local-store.ts';
import type { CredentialSink } from '../connectors/sinks/types.ts';
import type { ConnectorRegistry } from '../connectors/types.ts';
import { serviceAccountJwt, CLOUD_SCOPES } from '../connectors/google/auth.ts';
import { signAppJwt } from '../connectors/github/client.ts';
import { credentialIds as githubCredentialIds } from '../connectors/github/ids.ts';
import { generateDeployKeyPair } from '../connectors/github/deploy-key.ts';
import { signJwtBearerAssertion, JWT_BEARER_GRANT } from '../connectors/salesforce/jwt-assertion.ts';
import { loadScenarioByName, type EmulatedProvider, type CallRecord } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../local-tenant/tenant.ts';
import { createLogger } from '../logging/logger.ts';
import type { ContainmentRequest, ContainmentStatus } from '../schemas/containment.ts';
import { startDevServer } from '../temporal-config/dev-server.ts';
import { composeSink } from '../worker/sink.ts';
import { createCordonWorker } from '../worker/worker.ts';
import { activitiesBefore, firstTaskMs, timelineLines } from './timeline.ts';

Runtime.install({ logger: new DefaultLogger('ERROR') });
await sodium.ready;

const QUICK = process.argv.includes('--quick');
const RUNS = Number(process.env.BENCH_FLOOR_RUNS ?? (QUICK ? 2 : 30));
const LATENCIES = (process.env.BENCH_FLOOR_LATENCIES ?? '0,50,200').split(',').map(Number);
const ONLY = process.env.BENCH_FLOOR_PROVIDERS?.split(',') as EmulatedProvider[] | undefined;
/** Prints the history of each cell's last Cordon run as a timeline (bench/timeline.ts). */
const TIMELINE = process.env.BENCH_FLOOR_TIMELINE === '1';

// ---- the four cases ------------------------------------------------------------------------------

interface Case {
  provider: EmulatedProvider;
  scenario: 'circleci' | 'salesloft-drift';
  label: string;
  request: ContainmentRequest['credentials'][number];
  /** The operation that revokes, as the emulator logs it. */
  revokeOp: string;
  /**
   * Reads Cordon makes after the revoke for the report's details (the connector's `enrich`), beside the
   * verification: not on the way to verified dead, so the last of them is not the proof of death.
   */
  enrichOps?: readonly string[];
  /** What the script knows before it starts, read once before the first timed run (not timed, not counted). */
  discover?(tenant: LocalTenant): Promise<void>;
  /** Whether the consumers' sinks take provider calls (GitHub Actions secrets): only then does the delivering floor differ. */
  deliversRemotely: boolean;
  /**
   * The minimal plain script: resolves with the times (ms since its start) of the revoke and of the proof of death.
   * `finds`: it is given only what Cordon's request gives and finds the credential before the revoke, as the
   * runbook does (identify, then revoke); otherwise it knows where the credential is (the informed floor).
   * `delivers`: each replacement is also written where its consumer reads it, before the proof of death.
   */
  floor(tenant: LocalTenant, how: FloorHow): Promise<{ revokedMs: number; deadMs: number }>;
}

const GOOGLE_KEY = '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f';
const GOOGLE_SA = 'ci-deployer@northwind-prod.iam.gserviceaccount.com';
/** The consumers of each case's credential in its scenario, as Cordon's inventory names them: one replacement each. */
const CONSUMERS = { google: 2, github: 1, salesforce: 3, slack: 0 } as const;
/** The Google account's other user-managed keys, which its re-authentication ends: read once, before the first timed run. */
let googleOtherKeys: string[] | undefined;
const SLACK_LEAKED = 'xoxb-emulated-drift-bot-acme-main-0001';
const SF = { clientId: '0H4Hs000000DrftAAA', appName: 'Drift', user: 'drift-integration@acme.com', replacementApp: 'Cordon Incident Response' };
const GH = { owner: 'acme-robotics', repo: 'infra-terraform', keyId: 7102 };

const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface FloorHow {
  finds: boolean;
  delivers: boolean;
}
type SecretTarget = { owner: string; repo: string; secretName: string };
/** Where each case's consumers read their replacements (the scenarios' inventories), in consumer order. */
const SECRET_TARGETS = {
  google: [
    { owner: 'acme-robotics', repo: 'firmware', secretName: 'GCP_DEPLOY_KEY' },
    { owner: 'acme-robotics', repo: 'web-portal', secretName: 'GCP_DEPLOY_KEY' },
  ],
  github: [{ owner: 'acme-robotics', repo: 'infra-terraform', secretName: 'DEPLOY_SSH_KEY' }],
} satisfies Partial<Record<EmulatedProvider, SecretTarget[]>>;

/**
 * A script's delivery into GitHub Actions secrets (GitHub's sealed-box flow, as Cordon's sink): the installation
 * token (unless the script already holds one) and each repository's public key are read at once, when this is
 * called; `put` seals a value with its repository's key and writes the secret.
 */
function secretWriter(env: Record<string, string | undefined>, targets: SecretTarget[], holding?: Octokit): { put(index: number, value: string): Promise<void> } {
  const baseUrl = env.CORDON_GITHUB_API_URL!.replace(/\/$/, '');
  const gh: Promise<Octokit> = holding
    ? Promise.resolve(holding)
    : new Octokit({ baseUrl, log: silent, auth: signAppJwt(Number(env.CORDON_GITHUB_APP_ID), env.CORDON_GITHUB_APP_PRIVATE_KEY!) })
        .apps.createInstallationAccessToken({ installation_id: Number(env.CORDON_GITHUB_INSTALLATION_ID) })
        .then(({ data }) => new Octokit({ baseUrl, log: silent, auth: data.token }));
  const keys = targets.map((t) => gh.then((o) => o.actions.getRepoPublicKey({ owner: t.owner, repo: t.repo })).then((r) => r.data));
  for (const k of keys) k.catch(() => undefined); // a failure is the put's to report
  return {
    async put(index, value) {
      const t = targets[index]!;
      const [o, key] = await Promise.all([gh, keys[index]!]);
      const sealed = sodium.crypto_box_seal(sodium.from_string(value), sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL));
      await o.actions.createOrUpdateRepoSecret({ owner: t.owner, repo: t.repo, secret_name: t.secretName, encrypted_value: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL), key_id: key.key_id });
    },
  };
}

/** A call that must fail (the proof of death): resolves with the error's HTTP status or Slack error. */
async function mustFail(p: Promise<unknown>, what: string): Promise<void> {
  try {
    await p;
  } catch {
    return;
  }
  throw new Error(`floor: ${what} still succeeds after the revoke`);
}

const CASES: Case[] = [
  {
    provider: 'google',
    scenario: 'circleci',
    label: 'Google service-account key',
    request: { provider: 'google', kind: 'service_account_key', keyId: GOOGLE_KEY },
    revokeOp: 'projects.serviceAccounts.keys.delete',
    deliversRemotely: true,
    async discover(tenant) {
      const env = tenant.connectorEnv();
      const creds = JSON.parse(env.CORDON_GOOGLE_CREDENTIALS_JSON!) as { client_email: string; private_key: string; private_key_id: string };
      const auth = serviceAccountJwt({ email: creds.client_email, privateKey: creds.private_key, keyId: creds.private_key_id }, { scopes: CLOUD_SCOPES, tokenUrl: env.CORDON_GOOGLE_TOKEN_URL!, timeoutMs: 30_000 });
      const iam = google.iam({ version: 'v1', auth: auth as never, rootUrl: env.CORDON_GOOGLE_ROOT_URL!, retry: false });
      const { data } = await iam.projects.serviceAccounts.keys.list({ name: `projects/northwind-prod/serviceAccounts/${GOOGLE_SA}`, keyTypes: ['USER_MANAGED'] });
      googleOtherKeys = (data.keys ?? []).map((k) => k.name!.split('/').at(-1)!).filter((k) => k !== GOOGLE_KEY);
    },
    async floor(tenant, { finds, delivers }) {
      const env = tenant.connectorEnv();
      const t0 = performance.now();
      const sinks = delivers ? secretWriter(env, SECRET_TARGETS.google) : undefined;
      const creds = JSON.parse(env.CORDON_GOOGLE_CREDENTIALS_JSON!) as { client_email: string; private_key: string; private_key_id: string };
      const auth = serviceAccountJwt(
        { email: creds.client_email, privateKey: creds.private_key, keyId: creds.private_key_id },
        { scopes: CLOUD_SCOPES, tokenUrl: env.CORDON_GOOGLE_TOKEN_URL!, timeoutMs: 30_000 },
      );
      // `as never`: googleapis bundles its own copy of google-auth-library's types (as the connector does).
      const iam = google.iam({ version: 'v1', auth: auth as never, rootUrl: env.CORDON_GOOGLE_ROOT_URL!, retry: false });
      let account = `projects/northwind-prod/serviceAccounts/${GOOGLE_SA}`;
      if (finds) {
        // The key id alone: every configured project's accounts side by side, then their keys side by side.
        const projects = env.CORDON_GOOGLE_PROJECTS!.split(',').map((p) => p.trim()).filter(Boolean);
        const accounts = (await Promise.all(projects.map((p) => iam.projects.serviceAccounts.list({ name: `projects/${p}`, pageSize: 100 })))).flatMap((r) => r.data.accounts ?? []);
        const keys = await Promise.all(accounts.map((a) => iam.projects.serviceAccounts.keys.list({ name: a.name! })));
        const hit = keys.flatMap((r) => r.data.keys ?? []).find((k) => k.name?.endsWith(`/keys/${GOOGLE_KEY}`));
        if (!hit) throw new Error('floor: the key was not found');
        account = hit.name!.replace(/\/keys\/[^/]+$/, '');
      }
      const name = `${account}/keys/${GOOGLE_KEY}`;
      await iam.projects.serviceAccounts.keys.delete({ name }); // token + delete (informed), token + accounts + keys + delete (finds)
      const revokedMs = performance.now() - t0;
      // One new key per consumer and the account's other keys deleted (its re-authentication), side by side.
      await Promise.all([
        ...Array.from({ length: CONSUMERS.google }, async (_, k) => {
          const { data } = await iam.projects.serviceAccounts.keys.create({ name: account, requestBody: {} });
          await sinks?.put(k, data.privateKeyData ?? '');
        }),
        ...googleOtherKeys!.map((k) => iam.projects.serviceAccounts.keys.delete({ name: `${account}/keys/${k}` })),
      ]);
      await mustFail(iam.projects.serviceAccounts.keys.get({ name }), 'keys.get');
      return { revokedMs, deadMs: performance.now() - t0 };
    },
  },
  {
    provider: 'github',
    scenario: 'circleci',
    label: 'GitHub write deploy key',
    request: { provider: 'github', kind: 'deploy_key', id: githubCredentialIds.deployKey(GH.owner, GH.repo, GH.keyId) },
    revokeOp: 'repos.deleteDeployKey',
    deliversRemotely: true,
    async floor(tenant, { finds, delivers }) {
      const env = tenant.connectorEnv();
      const replacement = generateDeployKeyPair('floor replacement'); // before the clock: a script could have it ready
      const t0 = performance.now();
      const baseUrl = env.CORDON_GITHUB_API_URL!.replace(/\/$/, '');
      const app = new Octokit({ baseUrl, log: silent, auth: signAppJwt(Number(env.CORDON_GITHUB_APP_ID), env.CORDON_GITHUB_APP_PRIVATE_KEY!) });
      const { data } = await app.apps.createInstallationAccessToken({ installation_id: Number(env.CORDON_GITHUB_INSTALLATION_ID) });
      const gh = new Octokit({ baseUrl, log: silent, auth: data.token });
      const sinks = delivers ? secretWriter(env, SECRET_TARGETS.github, gh) : undefined;
      if (finds) await gh.repos.getDeployKey({ owner: GH.owner, repo: GH.repo, key_id: GH.keyId }); // the key exists, and what it is
      await gh.repos.deleteDeployKey({ owner: GH.owner, repo: GH.repo, key_id: GH.keyId });
      const revokedMs = performance.now() - t0;
      // The one consumer's new key (a deploy key has no re-authentication).
      await gh.repos.createDeployKey({ owner: GH.owner, repo: GH.repo, title: 'floor replacement', key: replacement.publicKey, read_only: false });
      await sinks?.put(0, replacement.privateKey);
      await mustFail(gh.repos.getDeployKey({ owner: GH.owner, repo: GH.repo, key_id: GH.keyId }), 'repos.getDeployKey');
      return { revokedMs, deadMs: performance.now() - t0 };
    },
  },
  {
    provider: 'salesforce',
    scenario: 'salesloft-drift',
    label: 'Salesforce Drift OAuth grant',
    request: { provider: 'salesforce', kind: 'refresh_token', clientId: SF.clientId, user: SF.user },
    revokeOp: 'oauth2.revokeToken',
    deliversRemotely: false,
    // Finding the grant is the query either way: its DeleteToken is known no other way.
    async floor(tenant) {
      const env = tenant.connectorEnv();
      const sign = (username: string) => signJwtBearerAssertion({ clientId: env.CORDON_SALESFORCE_CLIENT_ID!, username, audience: env.CORDON_SALESFORCE_LOGIN_URL!, privateKey: env.CORDON_SALESFORCE_PRIVATE_KEY! });
      const assertion = sign(env.CORDON_SALESFORCE_USERNAME!);
      const replacementAssertions = Array.from({ length: CONSUMERS.salesforce }, () => sign(SF.user));
      const t0 = performance.now();
      const conn = new SalesforceConnection({ loginUrl: env.CORDON_SALESFORCE_LOGIN_URL!, version: env.CORDON_SALESFORCE_API_VERSION ?? '62.0' });
      await conn.authorize({ grant_type: JWT_BEARER_GRANT, assertion });
      const soql = `SELECT DeleteToken FROM OauthToken WHERE AppName = '${SF.appName}' AND User.Username = '${SF.user}'`;
      const found = await conn.query<{ DeleteToken: string }>(soql);
      if (found.records.length === 0) throw new Error('floor: no Drift grant found');
      await Promise.all(found.records.map((r) => conn.oauth2.revokeToken(r.DeleteToken)));
      const revokedMs = performance.now() - t0;
      // Side by side: one session per consumer (the JWT bearer flow for the user, as Cordon's replacements), and the
      // user's re-authentication: its other grants, read and revoked (those of the app the replacements come from stay).
      const reauth = async () => {
        const rest = await conn.query<{ AppName: string; DeleteToken: string }>(`SELECT AppName, DeleteToken FROM OauthToken WHERE User.Username = '${SF.user}'`);
        await Promise.all(rest.records.filter((r) => r.AppName !== SF.replacementApp).map((r) => conn.oauth2.revokeToken(r.DeleteToken)));
      };
      await Promise.all([...replacementAssertions.map((a) => conn.oauth2.requestToken({ grant_type: JWT_BEARER_GRANT, assertion: a })), reauth()]);
      const after = await conn.query<{ DeleteToken: string }>(soql);
      if (after.records.length > 0) throw new Error('floor: the Drift grant is still listed after the revoke');
      return { revokedMs, deadMs: performance.now() - t0 };
    },
  },
  {
    provider: 'slack',
    scenario: 'salesloft-drift',
    label: 'Slack Drift bot token (by value)',
    request: { provider: 'slack', kind: 'oauth_token', leakedValue: SLACK_LEAKED },
    revokeOp: 'auth.revoke',
    // The token's owner, the app's approval and the audit logs (last use), read after the revoke (patch cordon-enrich-after-revoke).
    enrichOps: ['users.info', 'admin.apps.approved.list', 'auditlogs.logs'],
    deliversRemotely: false,
    async floor(tenant, { finds }) {
      const env = tenant.connectorEnv();
      const t0 = performance.now();
      const slack = new WebClient(undefined, { slackApiUrl: env.CORDON_SLACK_API_URL!, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
      if (finds) await slack.auth.test({ token: SLACK_LEAKED }); // whose token it is: the user, the team, the app
      await slack.auth.revoke({ token: SLACK_LEAKED });
      const revokedMs = performance.now() - t0;
      await mustFail(slack.auth.test({ token: SLACK_LEAKED }), 'auth.test');
      return { revokedMs, deadMs: performance.now() - t0 };
    },
  },
];

// ---- statistics ----------------------------------------------------------------------------------

const pct = (xs: number[], p: number) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const median = (xs: number[]) => pct(xs, 50);
const r0 = (x: number) => Math.round(x);
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Calls in the tenant's log before the first successful revoke, and in all, for one run. */
function callCounts(calls: CallRecord[], revokeOp: string, untilMs?: number): { beforeRevoke: number; total: number; untilDead: number } {
  const first = calls.find((c) => c.operation === revokeOp && c.status < 400);
  const beforeRevoke = first ? calls.filter((c) => c.seq < first.seq).length : NaN;
  const untilDead = untilMs === undefined ? calls.length : calls.filter((c) => Date.parse(c.at) <= untilMs).length;
  return { beforeRevoke, total: calls.length, untilDead };
}

function opsBeforeRevoke(calls: CallRecord[], revokeOp: string): string[] {
  const first = calls.find((c) => c.operation === revokeOp && c.status < 400);
  return calls.filter((c) => !first || c.seq < first.seq).map((c) => c.operation);
}

// ---- the run ---------------------------------------------------------------------------------------

const started = Date.now();
const dir = await mkdtemp(join(tmpdir(), 'cordon-bench-floor-'));
const server = await startDevServer({ dataDir: dir, headless: true, startTimeoutMs: 120_000 });
const taskQueue = `cordon-bench-floor-${randomBytes(3).toString('hex')}`;
const target = { connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue };
const keys = { activeKeyId: 'b', keys: new Map([['b', randomBytes(32)]]) };
const tenants = {
  circleci: await startLocalTenant({ scenario: await loadScenarioByName('circleci') }),
  'salesloft-drift': await startLocalTenant({ scenario: await loadScenarioByName('salesloft-drift') }),
};

// The worker is started once; every run gets fresh connectors (cold: its own token first, as the floor's
// script) and a fresh sink, swapped in here, because the tenant is reset to the scenario between runs.
const registry: ConnectorRegistry = {};
let sink: CredentialSink = new LocalEncryptedStore(join(dir, 'sink-0'), randomBytes(32));
const delegatingSink: CredentialSink = { deliver: (i) => sink.deliver(i), lookup: (k) => sink.lookup(k), prepare: async (t) => sink.prepare?.(t) };
let runNo = 0;
function freshConnectors(tenant: LocalTenant): void {
  const fresh = connectorsFromEnv(tenant.connectorEnv());
  for (const k of Object.keys(registry) as (keyof ConnectorRegistry)[]) delete registry[k];
  Object.assign(registry, fresh);
  const d = join(dir, `run-${++runNo}`);
  sink = composeSink(new LocalEncryptedStore(d, randomBytes(32)), registry, join(d, 'github-index'));
}
freshConnectors(tenants.circleci);

// Client and worker share one NativeConnection, so a start may carry its first workflow task back to this
// worker (eager workflow start, enabled on the dev server): the way a process that hosts both should run.
const connection = await NativeConnection.connect(target.connectionOptions);
const worker = await createCordonWorker({
  target,
  connection,
  codecKeys: keys,
  pacedPerHour: 36_000,
  deps: { connectors: registry, sink: delegatingSink, logger: createLogger({ level: 'error' }) },
});
const running = worker.run();
const client = new Client({ connection, namespace: target.namespace, dataConverter: cordonDataConverter(keys) });

function prepare(c: Case, latencyMs: number): LocalTenant {
  const tenant = tenants[c.scenario];
  tenant.reset(); // the scenario again: the credential alive, the call log and faults cleared
  if (latencyMs > 0) tenant.injectFault({ type: 'latency', latencyMs });
  return tenant;
}

interface Sample {
  revokedMs: number;
  deadMs: number;
  beforeRevoke: number;
  untilDead: number;
  outcome?: string;
  /** Cordon only, from its history: the first workflow task's time in the worker; activities up to the revoke, and their summed run time. */
  firstTaskMs?: number;
  activitiesToRevoke?: number;
  activityRunMsToRevoke?: number;
}

async function cordonRun(c: Case, latencyMs: number, i: number): Promise<Sample & { ops: string[] }> {
  const tenant = prepare(c, 0);
  freshConnectors(tenant);
  if (latencyMs > 0) tenant.injectFault({ type: 'latency', latencyMs });
  const t0 = Date.now();
  const { workflowId } = await startContainment(client, taskQueue, { incidentId: `BENCH-FLOOR-${c.provider}-${latencyMs}-${i}-${randomBytes(2).toString('hex')}`, requester: 'bench', credentials: [c.request] }, { requestEagerStart: true });
  const result = (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
  const at = (state: string, pick: (xs: number[]) => number) => {
    const ts = result.credentials.map((cr) => cr.transitions.find((t) => t.state === state)?.at).filter((x): x is string => !!x).map(Date.parse);
    return ts.length ? pick(ts) : NaN;
  };
  const calls = tenant.calls();
  // The later of the run's own transition and the provider's log: a transition made in the workflow task that
  // ran local activities carries that task's clock, which can lag the call it follows (by ~100 ms seen). The
  // log's time is when the provider answered: the revoke's answer, and the last call but the details read
  // beside the verification (the verification read).
  const revokeAnswered = calls.find((x) => x.operation === c.revokeOp && x.status < 400);
  const revokedAt = Math.max(at('revoked', (xs) => Math.min(...xs)), revokeAnswered ? Date.parse(revokeAnswered.at) : NaN);
  const allDead = result.credentials.every((cr) => cr.transitions.some((t) => t.state === 'verified_dead'));
  const lastCall = calls.filter((x) => !c.enrichOps?.includes(x.operation)).at(-1);
  const deadAt = allDead ? Math.max(at('verified_dead', (xs) => Math.max(...xs)), lastCall ? Date.parse(lastCall.at) : NaN) : NaN;
  const counts = callCounts(calls, c.revokeOp, Number.isFinite(deadAt) ? deadAt : undefined);
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const toRevoke = activitiesBefore(events, 'revokeCredential');
  if (TIMELINE && i === RUNS - 1) {
    console.log(`  timeline of ${c.provider} at ${latencyMs} ms (revoked ${revokedAt - t0} ms, dead ${deadAt - t0} ms):\n${timelineLines(events, t0).map((l) => `    ${l}`).join('\n')}`);
    console.log(`  provider calls:\n${calls.map((x) => `    ${String(Date.parse(x.at) - t0).padStart(7)} ms  ${x.operation} ${x.status}`).join('\n')}`);
  }
  return {
    revokedMs: revokedAt - t0,
    deadMs: deadAt - t0,
    beforeRevoke: counts.beforeRevoke,
    untilDead: counts.untilDead,
    outcome: result.outcome,
    ops: opsBeforeRevoke(calls, c.revokeOp),
    firstTaskMs: firstTaskMs(events),
    activitiesToRevoke: toRevoke.count,
    activityRunMsToRevoke: toRevoke.runMs,
  };
}

async function floorRun(c: Case, latencyMs: number, how: FloorHow = { finds: false, delivers: false }): Promise<Sample & { ops: string[] }> {
  const tenant = prepare(c, latencyMs);
  const { revokedMs, deadMs } = await c.floor(tenant, how);
  const calls = tenant.calls();
  const counts = callCounts(calls, c.revokeOp);
  return { revokedMs, deadMs, beforeRevoke: counts.beforeRevoke, untilDead: counts.total, ops: opsBeforeRevoke(calls, c.revokeOp) };
}

interface FloorStats {
  revoked: { p50: number; p99: number };
  dead: { p50: number; p99: number };
  callsBeforeRevoke: number;
  callsUntilDead: number;
  opsBeforeRevoke: string[];
}
interface Ratios {
  revoked: { p50: number; p99: number };
  dead: { p50: number; p99: number };
}

interface Row {
  provider: EmulatedProvider;
  label: string;
  latencyMs: number;
  runs: number;
  cordon: { revoked: { p50: number; p99: number }; dead: { p50: number; p99: number }; contained: number; callsBeforeRevoke: number; callsUntilDead: number; opsBeforeRevoke: string[] };
  floor: FloorStats;
  /** The floor that finds the credential from what the request gives, as the runbook does, before the revoke. */
  floorFinds: FloorStats;
  /** The finding floor that also delivers each replacement where its consumer reads it (the finding floor's own runs where that takes no provider call). */
  floorDelivers: FloorStats;
  ratio: Ratios;
  ratioFinds: Ratios;
  ratioDelivers: Ratios;
  samples: { cordon: Sample[]; floor: Sample[]; floorFinds: Sample[]; floorDelivers: Sample[] };
}

const rows: Row[] = [];
const cases = CASES.filter((c) => !ONLY || ONLY.includes(c.provider));
try {
  console.log(
    `Cordon P1 benchmark (issue 14) — Temporal ${server.address}, local emulators, direct mode, ${RUNS} runs per cell, ` +
      `latency ${LATENCIES.join('/')} ms per provider call${QUICK ? ' (--quick)' : ''}`,
  );
  // Warm-up: worker caches, SDK modules, the namespace; one Cordon run and one floor run per case, not counted.
  for (const c of cases) {
    await c.discover?.(prepare(c, 0));
    await cordonRun(c, 0, -1);
    await floorRun(c, 0);
    await floorRun(c, 0, { finds: true, delivers: false });
    if (c.deliversRemotely) await floorRun(c, 0, { finds: true, delivers: true });
  }
  for (const latencyMs of LATENCIES) {
    for (const c of cases) {
      const cordon: (Sample & { ops: string[] })[] = [];
      const floor: (Sample & { ops: string[] })[] = [];
      const floorFinds: (Sample & { ops: string[] })[] = [];
      const floorDelivers: (Sample & { ops: string[] })[] = [];
      // Interleaved, so that load from other jobs on the machine falls on both sides alike.
      for (let i = 0; i < RUNS; i++) {
        cordon.push(await cordonRun(c, latencyMs, i));
        floor.push(await floorRun(c, latencyMs));
        floorFinds.push(await floorRun(c, latencyMs, { finds: true, delivers: false }));
        if (c.deliversRemotely) floorDelivers.push(await floorRun(c, latencyMs, { finds: true, delivers: true }));
      }
      if (!c.deliversRemotely) floorDelivers.push(...floorFinds);
      const stat = (xs: Sample[], k: 'revokedMs' | 'deadMs') => ({ p50: r0(median(xs.map((x) => x[k]))), p99: r0(pct(xs.map((x) => x[k]), 99)) });
      const cr = stat(cordon, 'revokedMs');
      const cd = stat(cordon, 'deadMs');
      const floorStats = (xs: (Sample & { ops: string[] })[]): FloorStats => ({
        revoked: stat(xs, 'revokedMs'),
        dead: stat(xs, 'deadMs'),
        callsBeforeRevoke: median(xs.map((s) => s.beforeRevoke)),
        callsUntilDead: median(xs.map((s) => s.untilDead)),
        opsBeforeRevoke: xs.at(-1)!.ops,
      });
      const ratios = (f: FloorStats): Ratios => ({ revoked: { p50: r2(cr.p50 / f.revoked.p50), p99: r2(cr.p99 / f.revoked.p99) }, dead: { p50: r2(cd.p50 / f.dead.p50), p99: r2(cd.p99 / f.dead.p99) } });
      const informed = floorStats(floor);
      const finding = floorStats(floorFinds);
      const delivering = floorStats(floorDelivers);
      const fr = informed.revoked;
      const fd = informed.dead;
      const row: Row = {
        provider: c.provider,
        label: c.label,
        latencyMs,
        runs: RUNS,
        cordon: { revoked: cr, dead: cd, contained: cordon.filter((s) => s.outcome === 'contained').length, callsBeforeRevoke: median(cordon.map((s) => s.beforeRevoke)), callsUntilDead: median(cordon.map((s) => s.untilDead)), opsBeforeRevoke: cordon.at(-1)!.ops },
        floor: informed,
        floorFinds: finding,
        floorDelivers: delivering,
        ratio: ratios(informed),
        ratioFinds: ratios(finding),
        ratioDelivers: ratios(delivering),
        samples: {
          cordon: cordon.map(({ ops: _ops, ...s }) => s),
          floor: floor.map(({ ops: _ops, ...s }) => s),
          floorFinds: floorFinds.map(({ ops: _ops, ...s }) => s),
          floorDelivers: c.deliversRemotely ? floorDelivers.map(({ ops: _ops, ...s }) => s) : [],
        },
      };
      rows.push(row);
      console.log(
        `  ${String(latencyMs).padStart(3)} ms  ${c.provider.padEnd(10)} cordon revoked p50 ${cr.p50} p99 ${cr.p99}, dead p50 ${cd.p50} p99 ${cd.p99} (${row.cordon.contained}/${RUNS} contained) | ` +
          `floor revoked p50 ${fr.p50} p99 ${fr.p99}, dead p50 ${fd.p50} p99 ${fd.p99} ms | finding floor revoked p50 ${finding.revoked.p50}, dead p50 ${finding.dead.p50} ms` +
          (c.deliversRemotely ? ` | delivering floor dead p50 ${delivering.dead.p50} p99 ${delivering.dead.p99} ms` : ''),
      );
    }
  }

  // The tables of ratios: Cordon ÷ each floor.
  const table = (title: string, pick: (r: Row) => { ratio: Ratios; floor: FloorStats }) => {
    console.log(`\n${title} (target at 200 ms: ≤ 1.15× p50, ≤ 1.3× p99, to revoked and to verified dead)`);
    const head = ['provider', 'latency', 'revoked p50', 'revoked p99', 'dead p50', 'dead p99', 'cordon revoked p50', 'floor revoked p50'];
    console.log(head.map((h, i) => (i < 2 ? h.padEnd(11) : h.padStart(i >= 6 ? 19 : 12))).join(''));
    for (const r of rows) {
      const { ratio, floor } = pick(r);
      console.log(
        [r.provider.padEnd(11), `${r.latencyMs} ms`.padEnd(11), `${ratio.revoked.p50}×`.padStart(12), `${ratio.revoked.p99}×`.padStart(12), `${ratio.dead.p50}×`.padStart(12), `${ratio.dead.p99}×`.padStart(12), `${r.cordon.revoked.p50} ms`.padStart(19), `${floor.revoked.p50} ms`.padStart(19)].join(''),
      );
    }
  };
  table('Ratios, Cordon ÷ the informed floor (the script knows where the credential is)', (r) => ({ ratio: r.ratio, floor: r.floor }));
  table('Ratios, Cordon ÷ the finding floor (the script is given what the request gives and finds the credential first)', (r) => ({ ratio: r.ratioFinds, floor: r.floorFinds }));
  table(
    'Ratios, Cordon ÷ the delivering floor (the finding floor that also writes each replacement where its consumer reads it, as Cordon does; the same as the finding floor where that takes no provider call)',
    (r) => ({ ratio: r.ratioDelivers, floor: r.floorDelivers }),
  );

  // Where the overhead goes: provider calls on the critical path, from the emulators' call log.
  console.log('\nWhere the overhead goes (provider calls, from the emulator call log; at the highest latency measured):');
  const top = Math.max(...LATENCIES);
  for (const r of rows.filter((x) => x.latencyMs === top)) {
    const extra = r.cordon.callsBeforeRevoke - r.floor.callsBeforeRevoke;
    // Calls made side by side share their latency, so the count bounds the injected latency from above only.
    console.log(
      `  ${r.provider.padEnd(10)} before the revoke Cordon made ${r.cordon.callsBeforeRevoke} calls, the floor ${r.floor.callsBeforeRevoke} (+${extra}, some of them side by side); ` +
        `until verified dead ${r.cordon.callsUntilDead} vs ${r.floor.callsUntilDead}. Cordon before the revoke: ${summarize(r.cordon.opsBeforeRevoke)}; floor: ${summarize(r.floor.opsBeforeRevoke)}; ` +
        `finding floor: ${summarize(r.floorFinds.opsBeforeRevoke)}`,
    );
  }
  // Where Temporal's share goes, from the histories: at every latency, since at 0 ms it is all there is.
  console.log('\nTemporal and worker time to the revoke (p50 over the runs, from the histories):');
  for (const r of rows) {
    const s = r.samples.cordon;
    const first = median(s.map((x) => x.firstTaskMs ?? NaN));
    const acts = median(s.map((x) => x.activitiesToRevoke ?? NaN));
    const run = median(s.map((x) => x.activityRunMsToRevoke ?? NaN));
    console.log(
      `  ${r.provider.padEnd(10)} ${String(r.latencyMs).padStart(3)} ms: first workflow task ${r0(first)} ms (with the local activities it ran); ${acts} activities up to the revoke, ` +
        `queued ones running ${r0(run)} ms in all, of ${r.cordon.revoked.p50} ms to the revoke`,
    );
  }

  const out = join(process.cwd(), '.cordon', 'bench');
  await mkdir(out, { recursive: true });
  const file = join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    JSON.stringify(
      {
        benchmark: 'p1-floor',
        issue: 14,
        quick: QUICK,
        runsPerCell: RUNS,
        latenciesMs: LATENCIES,
        machine: { cpus: (await import('node:os')).cpus().length, node: process.version, platform: process.platform },
        durationSec: Math.round((Date.now() - started) / 1000),
        floorDefinition: 'own token + revoke (informed: knows where the credential is) or own token + the reads that find it from what the request gives + revoke (finding), then one replacement per consumer and the re-authentication side by side, then one read proving it dead; no delivery to sinks, but for the delivering floor (finding, and each replacement sealed and written to the GitHub Actions secret its consumer reads, with the installation token and public keys read ahead)',
        rows,
      },
      null,
      2,
    ),
  );
  console.log(`\nfigures written to ${file} (${Math.round((Date.now() - started) / 1000)} s in all)`);
} finally {
  worker.shutdown();
  await running;
  await connection.close();
  await tenants.circleci.close();
  await tenants['salesloft-drift'].close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

function summarize(ops: string[]): string {
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => (n > 1 ? `${o}×${n}` : o)).join(', ') || '—';
}

// The GitHub connector against the local tenant's GitHub emulator, through the real Octokit.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitHubScenario, type GitHubScenarioInput, type GitHubEmulator, type GoneStatus, readScenarioFile } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import type { Consumer, Credential, SinkRef } from '../../schemas/credential.ts';
import type { Secret } from '../../logging/secret.ts';
import { fingerprintOf } from '../fingerprint.ts';
import type { CredentialSink, DeliveredReplacement } from '../sinks/types.ts';
import { RequestError } from '@octokit/request-error';
import { ConnectorError } from '../types.ts';
import { assertCan, can, capabilitiesOf } from '../capabilities.ts';
import { alreadyGone } from './errors.ts';
import { racingSinks } from '../../test/support/racing-sinks.ts';
import { GitHubConnectorConfig } from './config.ts';
import { createGitHubConnector, type GitHubConnector } from './connector.ts';

const read = (name: string) => readScenarioFile(name, 'github') as GitHubScenarioInput;
const circleci = read('circleci');
const cloudflare = read('cloudflare-okta');
const ORG = 'acme-robotics';
const BOT_TOKEN = 'gho_QXQWPkTZiBnZmdRUTuSoktjaSRocVB8a1kMf';
const CLASSIC_PAT = 'ghp_govYleKxdKaTrZjWE6paaP7RyhUFyVrJDRbx';
const FG_PAT = 'github_pat_11AJL2Q0Y0JL2LC4NwEzG8kJ9cj3slNMLkwrvQAhAT35EZ';

/** A tiny in-memory sink: keeps the first delivery per key, like every real sink. */
class MemorySink implements CredentialSink {
  readonly values = new Map<string, string>();
  readonly records = new Map<string, DeliveredReplacement>();
  failNext = false;
  async deliver(input: { idempotencyKey: string; replacementId: string; consumer: Consumer; target: SinkRef | undefined; value: Secret }): Promise<DeliveredReplacement> {
    const existing = this.records.get(input.idempotencyKey);
    if (existing) return existing;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('sink crashed before storing');
    }
    const record = { replacementId: input.replacementId, fingerprint: fingerprintOf(input.value.reveal()), location: `memory:${input.consumer.id}` };
    this.values.set(input.idempotencyKey, input.value.reveal());
    this.records.set(input.idempotencyKey, record);
    return record;
  }
  async lookup(idempotencyKey: string): Promise<DeliveredReplacement | undefined> {
    return this.records.get(idempotencyKey);
  }
}

let tenant: LocalTenant;

function load(section: GitHubScenarioInput, name = 'github-connector-test'): GitHubConnector {
  tenant.load({ name, description: '', github: GitHubScenario.parse(section) });
  return createGitHubConnector(GitHubConnectorConfig.fromEnv(tenant.connectorEnv()));
}

async function connectorError(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConnectorError) return err;
    throw err;
  }
  throw new Error('expected a ConnectorError');
}

let connector: GitHubConnector;
beforeAll(async () => {
  tenant = await startLocalTenant();
});
afterAll(async () => tenant?.close());
beforeEach(() => {
  connector = load(circleci);
});

describe('config', () => {
  it('fromEnv names the missing variable', () => {
    const env = tenant.connectorEnv();
    delete env.CORDON_GITHUB_APP_ID;
    expect(() => GitHubConnectorConfig.fromEnv(env)).toThrow(/CORDON_GITHUB_APP_ID is not set/);
    expect(() => GitHubConnectorConfig.fromEnv({ ...tenant.connectorEnv(), CORDON_GITHUB_API_URL: 'not a url' })).toThrow(/CORDON_GITHUB_API_URL/);
    expect(() => GitHubConnectorConfig.fromEnv({ ...tenant.connectorEnv(), CORDON_GITHUB_OAUTH_CLIENT_SECRET: '' , CORDON_GITHUB_OAUTH_CLIENT_ID: 'x' })).toThrow(/OAUTH_CLIENT_SECRET/);
  });

  it('declares what it cannot do and throws unsupported for it', async () => {
    expect(capabilitiesOf(connector)).not.toContain('restrict');
    expect(capabilitiesOf(connector)).not.toContain('suspendPrincipal');
    const cred = (await connector.identify({ provider: 'github', kind: 'pat', id: 'pat:classic:7301' })).credentials[0]!;
    // The rungs exist for OAuth tokens and installation tokens only; a PAT gets the reason, never a silent no-op.
    expect((await connectorError(connector.blockApp(cred))).kind).toBe('unsupported');
    expect((await connectorError(connector.revokeAllForClient(cred))).kind).toBe('unsupported');
    const err = await connectorError(Promise.resolve().then(() => assertCan(connector, 'restrict')));
    expect(err.kind).toBe('unsupported');
    expect(err.message).toBe('github: cannot restrict: GitHub has no per-credential IP allowlist or scope downgrade by API');
    const refused = await connectorError(connector.replace(cred, cred.consumers[0]!, 'k', new MemorySink()));
    expect(refused.kind).toBe('unsupported');
    // A dry run is told the same without calling GitHub; a deploy key can be re-issued.
    expect(refused.message).toContain(connector.whyNoReplacement(cred)!);
    const deployKey = (await connector.identify({ provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7102' })).credentials[0]!;
    expect(connector.whyNoReplacement(deployKey)).toBeUndefined();
  });
});

describe('OAuth tokens', () => {
  it('identifies by leaked value, revokes (204), then already_done; probe says dead', async () => {
    const report = await connector.identify({ provider: 'github', kind: 'oauth_token', leakedValue: BOT_TOKEN });
    expect(report.credentials).toHaveLength(1);
    const cred = report.credentials[0]!;
    expect(cred).toMatchObject({ id: 'oauth_token:7001', principal: { id: 'acme-ci-bot' }, fingerprint: fingerprintOf(BOT_TOKEN), selfOrLastAdmin: false });
    expect(cred.consumers.map((c) => c.id)).toEqual(['circleci-firmware', 'circleci-web-portal']);
    expect(report.riskFlags).toContain('oauth_token:7001 is shared by 2 consumers');
    expect(report.blindSpots.length).toBeGreaterThan(0);
    expect(await connector.probe(cred, BOT_TOKEN)).toBe('alive');

    const first = await connector.revoke(cred);
    expect(first.outcome).toBe('done');
    expect(first.requestId).toMatch(/^CA11:/);
    const second = await connector.revoke(cred);
    expect(second.outcome).toBe('already_done');
    expect(await connector.probe(cred, BOT_TOKEN)).toBe('dead');
    expect(tenant.calls({ provider: 'github', operation: 'apps.deleteToken' }).map((c) => [c.status, c.target])).toEqual([
      [204, 'oauth_token:7001'],
      [404, undefined],
    ]);
  });

  it('revokes with the value from the revoke context in a fresh process; without any value it says what is missing', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'oauth_token', leakedValue: 'gho_WWHYNVHGNFRbGSd0wOFrYozddxUoct9hFfG9' })).credentials[0]!;
    const fresh = () => createGitHubConnector(GitHubConnectorConfig.fromEnv(tenant.connectorEnv()));
    const missing = await connectorError(fresh().revoke(cred));
    expect(missing.kind).toBe('invalid');
    expect(missing.message).toMatch(/needs the token value/);
    expect((await fresh().revoke(cred, { leakedValue: 'gho_WWHYNVHGNFRbGSd0wOFrYozddxUoct9hFfG9' })).outcome).toBe('done');
    expect(await fresh().probe(cred, 'gho_WWHYNVHGNFRbGSd0wOFrYozddxUoct9hFfG9')).toBe('dead');
  });

  it('a value it does not recognise is reported, not invented', async () => {
    const report = await connector.identify({ provider: 'github', kind: 'oauth_token', leakedValue: 'gho_unknown0000000000000000000000000000' });
    expect(report.credentials).toEqual([]);
    expect(report.riskFlags.join(' ')).toMatch(/not a live token/);
  });
});

describe('an org-wide listing read while other runs remove entries from it', () => {
  /** CircleCI's org with 150 classic PATs more (ids from `firstId`): its SAML authorizations span two pages of 100. */
  function loadWithClassicPats(firstId: number, name: string): GitHubConnector {
    const extra = Array.from({ length: 150 }, (_, i) => ({
      id: firstId + i,
      kind: 'pat' as const,
      patType: 'classic' as const,
      owner: 'acme-ci-bot',
      note: `mass ${i}`,
      value: `ghp_${String(firstId + i).padStart(8, '0')}${'A'.repeat(28)}`,
      scopes: ['repo'],
      createdAt: '2024-01-01T00:00:00Z',
    }));
    return load({ ...circleci, credentials: [...(circleci.credentials ?? []), ...extra] }, name);
  }

  it('finds a classic PAT named by id though an authorization before it is removed between page reads', async () => {
    connector = loadWithClassicPats(20_001, 'github-saml-pages');
    const page = (n: number) => connector.installationClient.request('GET /orgs/{org}/credential-authorizations', { org: ORG, per_page: 100, page: n });
    const firstPage = (await page(1)).data as Array<{ credential_id: number; credential_type: string }>;
    const target = ((await page(2)).data as Array<{ credential_id: number }>)[0]!.credential_id;
    expect(firstPage).toHaveLength(100);
    // Another run, with its own connector, holds a credential listed on page 1.
    const other = createGitHubConnector(GitHubConnectorConfig.fromEnv(tenant.connectorEnv()));
    const classicOnFirstPage = firstPage.find((a) => a.credential_type === 'personal access token')!.credential_id;
    const onFirstPage = (await other.identify({ provider: 'github', kind: 'pat', id: `pat:classic:${classicOnFirstPage}` })).credentials[0]!;

    // Every page answer takes 500 ms; the other run removes its authorization as soon as page 1 is answered, so
    // the next page is read after the removal and the target, first on page 2, has moved onto page 1.
    const listed = () => tenant.calls({ provider: 'github', operation: 'orgs.listSamlSsoAuthorizations' }).length;
    const before = listed();
    tenant.injectFault({ provider: 'github', operation: 'orgs.listSamlSsoAuthorizations', type: 'latency', latencyMs: 500 });
    try {
      const identifying = connector.identify({ provider: 'github', kind: 'pat', id: `pat:classic:${target}` });
      while (listed() === before) await new Promise((r) => setTimeout(r, 2));
      expect((await other.revoke(onFirstPage)).outcome).toBe('done');
      const report = await identifying;
      expect(report.credentials.map((c) => c.id)).toEqual([`pat:classic:${target}`]);
    } finally {
      tenant.clearFaults('github');
    }
    // Page 1, page 2 (the last), page 1 again.
    expect(listed() - before).toBe(3);
  });

  it('classic PATs named by id and identified side by side share one walk of the org\'s authorizations', async () => {
    connector = loadWithClassicPats(30_001, 'github-saml-shared');
    const listed = () => tenant.calls({ provider: 'github', operation: 'orgs.listSamlSsoAuthorizations' }).length;
    const before = listed();
    const ids = [30_001, 30_075, 30_150].map((n) => `pat:classic:${n}`);
    const reports = await Promise.all(ids.map((id) => connector.identify({ provider: 'github', kind: 'pat', id })));
    expect(reports.map((r) => r.credentials.map((c) => c.id))).toEqual(ids.map((id) => [id]));
    // One walk (page 1, page 2, page 1 again) for the three; one after they settled walks again.
    expect(listed() - before).toBe(3);
    await connector.identify({ provider: 'github', kind: 'pat', id: ids[0]! });
    expect(listed() - before).toBe(6);
  });
});

describe('PATs', () => {
  it('classic PAT: found by value through SAML authorizations, de-authorized, then already_done', async () => {
    const report = await connector.identify({ provider: 'github', kind: 'pat', leakedValue: CLASSIC_PAT });
    expect(report.credentials.map((c) => c.id)).toEqual(['pat:classic:7301']);
    expect(report.riskFlags.join(' ')).toMatch(/de-authorized for this org/);
    const cred = report.credentials[0]!;
    expect((await connector.revoke(cred)).outcome).toBe('done');
    expect((await connector.revoke(cred)).outcome).toBe('already_done');
    expect(await connector.listActive(cred.principal)).toEqual([expect.objectContaining({ id: 'oauth_token:7001' })]);
  });

  it('fine-grained PAT: found by value via the audit log token hash, org access revoked, then already_done', async () => {
    const c = load(cloudflare);
    const report = await c.identify({ provider: 'github', kind: 'pat', leakedValue: FG_PAT });
    expect(report.credentials.map((x) => x.id)).toEqual(['pat:fine_grained:8001']);
    const cred = report.credentials[0]!;
    expect(cred.consumers).toHaveLength(2);
    expect(cred.scopes).toContain('repository:contents:write');
    expect((await c.revoke(cred)).outcome).toBe('done');
    expect((await c.revoke(cred)).outcome).toBe('already_done');
    expect((await c.listActive(cred.principal)).map((x) => x.id)).toEqual([]);
    // Org access only: the value still authenticates elsewhere, and probe says so honestly.
    expect(await c.probe(cred, FG_PAT)).toBe('alive');
  });
});

describe('revoke by value (POST /credentials/revoke)', () => {
  const OKTA_CLASSIC_PAT = 'ghp_Ouv6NPv6c3GcVBaUmMlioBO12r1c0CeIzxEH'; // 8003
  const BRIDGE_INSTALLATION_TOKEN = 'ghs_xgJjF45RU0h1haKDStHGc2Udq0DFP4nPFqwM'; // 8002, unrelated
  const revokes = () => tenant.calls({ provider: 'github', operation: 'credentials.revoke' });

  it('after the org-side cut-off, kills a classic and a fine-grained PAT everywhere; an unrelated token still works', async () => {
    const c = load(cloudflare);
    expect(can(c, 'revokeByValue')).toBe(true);
    const fg = (await c.identify({ provider: 'github', kind: 'pat', leakedValue: FG_PAT })).credentials[0]!;
    const classic = (await c.identify({ provider: 'github', kind: 'pat', leakedValue: OKTA_CLASSIC_PAT })).credentials[0]!;
    expect([fg.id, classic.id]).toEqual(['pat:fine_grained:8001', 'pat:classic:8003']);
    // Org-side first (revoke() is unchanged): the values still authenticate elsewhere.
    expect((await c.revoke(fg)).outcome).toBe('done');
    expect((await c.revoke(classic)).outcome).toBe('done');
    expect(await c.probe(fg, FG_PAT)).toBe('alive');
    expect(await c.probe(classic, OKTA_CLASSIC_PAT)).toBe('alive');

    const r = await c.revokeByValue([
      { credential: fg, leakedValue: FG_PAT },
      { credential: classic, leakedValue: OKTA_CLASSIC_PAT },
    ]);
    expect(r).toEqual({
      outcome: 'done',
      requestId: expect.stringMatching(/^CA11:/),
      detail: "reported 2 credential(s) to GitHub's credential revocation; GitHub revokes them asynchronously and notifies their owners",
    });
    expect(await c.probe(fg, FG_PAT)).toBe('dead');
    expect(await c.probe(classic, OKTA_CLASSIC_PAT)).toBe('dead');
    const bridge = (await c.identify({ provider: 'github', kind: 'app_installation_token', id: 'app_installation_token:42200300' })).credentials[0]!;
    expect(await c.probe(bridge, BRIDGE_INSTALLATION_TOKEN)).toBe('alive');
    // Sent without any Authorization (the emulator answers 403 otherwise); the call log holds no value.
    expect(revokes().map((x) => [x.status, x.credential, x.target])).toEqual([[202, undefined, 'pat:fine_grained:8001,pat:classic:8003']]);
    const log = JSON.stringify(tenant.calls());
    for (const v of [FG_PAT, OKTA_CLASSIC_PAT]) expect(log).not.toContain(v);
    // Reporting again is harmless: GitHub answers 202 whatever it knows.
    expect((await c.revokeByValue([{ credential: classic, leakedValue: OKTA_CLASSIC_PAT }])).outcome).toBe('done');
  });

  it('kills an OAuth token by value too (gho_): the OAuth app check then says dead', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'oauth_token', leakedValue: BOT_TOKEN })).credentials[0]!;
    expect((await connector.revokeByValue([{ credential: cred, leakedValue: BOT_TOKEN }])).outcome).toBe('done');
    expect(await connector.probe(cred, BOT_TOKEN)).toBe('dead');
  });

  it('refuses an installation token (ghs_) or a non-GitHub shape with invalid, naming the rule not the value; nothing is sent', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'pat', leakedValue: CLASSIC_PAT })).credentials[0]!;
    for (const bad of ['ghs_a4D0ZIA1lW21h8En96LiQEtaMuXe7PvtaeLJ', 'xoxb-1111-2222-abcdefABCDEF', 'ghp_has space', '']) {
      const err = await connectorError(connector.revokeByValue([{ credential: cred, leakedValue: CLASSIC_PAT }, { credential: cred, leakedValue: bad }]));
      expect(err).toMatchObject({ kind: 'invalid', retryable: false });
      expect(err.message).toMatch(/ghp_, github_pat_, gho_, ghu_ or ghr_/);
      if (bad) expect(err.message).not.toContain(bad);
      expect(err.message).not.toContain(CLASSIC_PAT);
    }
    expect(revokes()).toEqual([]);
    expect(await connector.probe(cred, CLASSIC_PAT)).toBe('alive');
  });

  it('splits more than 1,000 values into requests of at most 1,000', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'pat', leakedValue: CLASSIC_PAT })).credentials[0]!;
    const filler = Array.from({ length: 1000 }, (_, i) => ({ credential: cred, leakedValue: `ghp_unknown${String(i).padStart(29, '0')}` }));
    const r = await connector.revokeByValue([...filler, { credential: cred, leakedValue: CLASSIC_PAT }]);
    expect(r.detail).toMatch(/^reported 1001 credential\(s\)/);
    expect(revokes().map((x) => [x.status, x.target])).toEqual([
      [202, undefined],
      [202, 'pat:classic:7301'],
    ]);
    expect(await connector.probe(cred, CLASSIC_PAT)).toBe('dead');
  });

  it('a rate limit is a retryable rate_limited with the retry-after; a spent per-operation budget waits for its window', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'pat', leakedValue: CLASSIC_PAT })).credentials[0]!;
    tenant.injectFault({ provider: 'github', operation: 'credentials.revoke', type: 'rate_limited', retryAfterSec: 30, times: 1 });
    const started = Date.now();
    const err = await connectorError(connector.revokeByValue([{ credential: cred, leakedValue: CLASSIC_PAT }]));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toMatchObject({ kind: 'rate_limited', retryable: true });
    expect(err.options.retryAfterMs).toBe(30_000);
    expect(err.message).not.toContain(CLASSIC_PAT);
    expect(await connector.probe(cred, CLASSIC_PAT)).toBe('alive');

    tenant.setRateLimit({ provider: 'github', operation: 'credentials.revoke', limit: 1, windowSec: 3600 });
    expect((await connector.revokeByValue([{ credential: cred, leakedValue: CLASSIC_PAT }])).outcome).toBe('done');
    const spent = await connectorError(connector.revokeByValue([{ credential: cred, leakedValue: CLASSIC_PAT }]));
    expect(spent.kind).toBe('rate_limited');
    expect(spent.options.retryAfterMs).toBeGreaterThan(3_500_000);
  });

  it("GitHub's own unauthenticated limit (60 an hour) → rate_limited until x-ratelimit-reset", async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'pat', leakedValue: CLASSIC_PAT })).credentials[0]!;
    for (let i = 0; i < 60; i++) await connector.revokeByValue([{ credential: cred, leakedValue: 'ghp_unknown00000000000000000000000000000' }]);
    const err = await connectorError(connector.revokeByValue([{ credential: cred, leakedValue: CLASSIC_PAT }]));
    expect(err.kind).toBe('rate_limited');
    expect(err.options.status).toBe(403);
    expect(err.options.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(err.options.retryAfterMs).toBeLessThanOrEqual(3_601_000);
    expect(await connector.probe(cred, CLASSIC_PAT)).toBe('alive');
  });
});

describe('deploy keys', () => {
  const ID = `deploy_key:${ORG}/firmware:7101`;
  /** The deploy key, identified and revoked: what a replacement starts from. */
  const revokedKey = async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'deploy_key', id: ID })).credentials[0]!;
    await connector.revoke(cred);
    return cred;
  };

  it('revokes (204, then already_done) and replaces: new key on GitHub, private half only in the sink', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'deploy_key', id: ID })).credentials[0]!;
    expect(cred.consumers.map((c) => c.id)).toEqual(['circleci-firmware']);
    expect((await connector.revoke(cred)).outcome).toBe('done');
    expect((await connector.revoke(cred)).outcome).toBe('already_done');
    const sink = new MemorySink();
    const consumer = cred.consumers[0]!;
    const issued = await connector.replace(cred, consumer, 'wf-1/deploy/circleci-firmware', sink);
    const privateKey = sink.values.get('wf-1/deploy/circleci-firmware')!;
    expect(privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(issued.fingerprint).toBe(fingerprintOf(privateKey));
    expect(JSON.stringify(issued)).not.toContain('PRIVATE KEY');
    const keys = await connector.listActive(cred.principal);
    expect(keys.map((k) => k.id)).toEqual([issued.replacementId]);
    // Revoke before replace (I1) is visible in the call log order.
    const order = tenant.calls({ provider: 'github' }).filter((c) => c.operation === 'repos.deleteDeployKey' || c.operation === 'repos.createDeployKey');
    expect(order.map((c) => c.operation)).toEqual(['repos.deleteDeployKey', 'repos.deleteDeployKey', 'repos.createDeployKey']);
    // Idempotent by key: a retry returns the same replacement and mints nothing.
    const again = await connector.replace(cred, consumer, 'wf-1/deploy/circleci-firmware', sink);
    expect(again).toEqual({ replacementId: issued.replacementId, fingerprint: issued.fingerprint, sink: issued.sink });
    expect(tenant.calls({ provider: 'github', operation: 'repos.createDeployKey' })).toHaveLength(1);
  });

  it('a replacement minted by a crashed attempt is deleted and minted again: one live key per consumer', async () => {
    const cred = await revokedKey();
    const sink = new MemorySink();
    sink.failNext = true;
    await expect(connector.replace(cred, cred.consumers[0]!, 'wf-2/k', sink)).rejects.toThrow(/sink crashed/);
    const issued = await connector.replace(cred, cred.consumers[0]!, 'wf-2/k', sink);
    const keys = await connector.listActive(cred.principal);
    expect(keys.map((k) => k.id)).toEqual([issued.replacementId]);
  });

  it('the run’s first claim on a consumer mints without looking for an earlier attempt’s key; a later attempt looks', async () => {
    const cred = await revokedKey();
    const sink = new MemorySink();
    sink.failNext = true;
    const lists = () => tenant.calls({ provider: 'github', operation: 'repos.listDeployKeys' }).length;
    const before = lists();
    await expect(connector.replace(cred, cred.consumers[0]!, 'wf-3/k', sink, { firstClaim: true })).rejects.toThrow(/sink crashed/);
    expect(lists()).toBe(before);
    // The retry is not a first claim: it finds the key the crashed attempt minted and ends it.
    const issued = await connector.replace(cred, cred.consumers[0]!, 'wf-3/k', sink);
    expect(lists()).toBe(before + 1);
    expect((await connector.listActive(cred.principal)).map((k) => k.id)).toEqual([issued.replacementId]);
  });

  it('an attempt that finds an earlier one\'s delivery kept ends the mints that attempt died before ending', async () => {
    const cred = await revokedKey();
    const sink = new MemorySink();
    // One attempt mints and dies before delivering; the next delivers (kept) and dies before ending that key
    // (played by a first claim, which ends nothing); the one after finds the delivery.
    sink.failNext = true;
    await expect(connector.replace(cred, cred.consumers[0]!, 'wf-4/k', sink)).rejects.toThrow(/sink crashed/);
    const kept = await connector.replace(cred, cred.consumers[0]!, 'wf-4/k', sink, { firstClaim: true });
    expect((await connector.listActive(cred.principal)).length).toBe(2);
    const again = await connector.replace(cred, cred.consumers[0]!, 'wf-4/k', sink);
    expect(again.replacementId).toBe(kept.replacementId);
    expect(again.note).toMatch(/ended 1 credential\(s\) an earlier attempt/);
    expect((await connector.listActive(cred.principal)).map((k) => k.id)).toEqual([kept.replacementId]);
  });

  it('two attempts at once: the delivery kept is the consumer\'s key, the other attempt ends its own, and nothing the consumer holds is ended', async () => {
    const cred = await revokedKey();
    // The first attempt outlived its timeout: it delivers only once the retry beside it has minted too.
    const mints = () => tenant.calls({ provider: 'github', operation: 'repos.createDeployKey' }).length;
    const before = mints();
    const { first, second, kept } = racingSinks(() => mints() >= before + 2);
    const [a, b] = await Promise.all([
      connector.replace(cred, cred.consumers[0]!, 'wf-race/k', first, { firstClaim: true }),
      connector.replace(cred, cred.consumers[0]!, 'wf-race/k', second),
    ]);
    // The consumer's key is live and the only one: the losing attempt's key was ended, the kept one never.
    expect((await connector.listActive(cred.principal)).map((k) => k.id)).toEqual([kept.get('wf-race/k')!.replacementId]);
    expect(b.replacementId).toBe(a.replacementId);
    expect(a.replacementId).toBe(kept.get('wf-race/k')!.replacementId);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(fingerprintOf(kept.get('wf-race/k')!.value)).toBe(a.fingerprint);
    expect(b.note).toMatch(/another attempt of this replacement delivered first/);
  });

  it('an unknown repo is not_found; listing stays empty for an unknown key id', async () => {
    const err = await connectorError(connector.listActive({ id: `repo:${ORG}/no-such-repo`, displayName: '', type: 'service_account', status: 'active' }));
    expect(err.kind).toBe('not_found');
    expect(err.retryable).toBe(false);
    expect((await connector.identify({ provider: 'github', kind: 'deploy_key', id: `deploy_key:${ORG}/firmware:999` })).credentials).toEqual([]);
  });
});

describe('installations and Cordon itself', () => {
  it("reports Cordon's own installation as selfOrLastAdmin (I6)", async () => {
    const report = await connector.identify({ provider: 'github', kind: 'app_installation_token', id: 'app_installation_token:51234567' });
    expect(report.credentials[0]).toMatchObject({ selfOrLastAdmin: true, principal: { id: 'app:cordon-responder', type: 'bot' } });
    const other = await connector.identify({ provider: 'github', kind: 'app_installation_token', id: 'app_installation_token:40100200', leakedValue: 'ghs_a4D0ZIA1lW21h8En96LiQEtaMuXe7PvtaeLJ' });
    const cred = other.credentials[0]!;
    expect(cred.selfOrLastAdmin).toBe(false);
    expect(await connector.probe(cred, 'ghs_a4D0ZIA1lW21h8En96LiQEtaMuXe7PvtaeLJ')).toBe('alive');
    expect((await connector.revoke(cred)).outcome).toBe('done');
    expect((await connector.revoke(cred)).outcome).toBe('already_done');
    expect(await connector.probe(cred, 'ghs_a4D0ZIA1lW21h8En96LiQEtaMuXe7PvtaeLJ')).toBe('dead');
    expect((await connectorError(connector.replace(cred, cred.consumers[0]!, 'k', new MemorySink()))).kind).toBe('unsupported');
  });

  it('declares an installation token an unlabelled mint that lives one hour; a deploy key is labelled', async () => {
    const token = (await connector.identify({ provider: 'github', kind: 'app_installation_token', id: 'app_installation_token:40100200' })).credentials[0]!;
    expect(connector.unlabelledMint?.(token)).toEqual({ what: 'installation token of installation 40100200', whyNotEnded: expect.stringMatching(/only with its own value/), lifetimeMs: 3_600_000 });
    expect(connector.unlabelledMint?.({ ...token, id: 'deploy_key:acme-robotics/infra-terraform:7102' })).toBeUndefined();
  });

  it('audit lists the principal\'s events since a date', async () => {
    const events = await connector.audit({ id: 'acme-ci-bot', displayName: '', type: 'service_account', status: 'active' }, '2022-12-01T00:00:00Z');
    expect(events.map((e) => e.action).sort()).toEqual(['git.clone', 'git.clone', 'repo.download_zip', 'workflows.created_workflow_run']);
    expect(events[0]!.detail).toMatch(/Netherlands/);
  });

  it('reauthScope lists a user’s tokens; forceReauth de-authorizes exactly the listed subset, then already_done', async () => {
    const principal = { id: 'acme-ci-bot', displayName: '', type: 'service_account' as const, status: 'active' as const };
    const scope = await connector.reauthScope(principal);
    expect(scope.credentials.map((c) => c.id).sort()).toEqual(['oauth_token:7001', 'pat:classic:7301']);
    expect(scope.credentials.find((c) => c.id === 'pat:classic:7301')!.consumers.map((c) => c.id)).toEqual(['circleci-release']);
    expect(tenant.calls({ provider: 'github' }).filter((c) => c.method === 'DELETE')).toEqual([]); // read-only
    const pat = scope.credentials.filter((c) => c.id === 'pat:classic:7301');
    expect(await connector.forceReauth(principal, pat)).toMatchObject({ outcome: 'done' });
    expect((await connector.listActive(principal)).map((c) => c.id)).toEqual(['oauth_token:7001']);
    expect(await connector.forceReauth(principal, pat)).toMatchObject({ outcome: 'already_done' });
    // An OAuth token known only through its SAML authorization is de-authorized; gone, it counts as ended.
    const token = scope.credentials.filter((c) => c.id === 'oauth_token:7001');
    expect(await connector.forceReauth(principal, token)).toMatchObject({ outcome: 'done' });
    expect(await connector.forceReauth(principal, token)).toMatchObject({ outcome: 'already_done' });
    expect(await connector.listActive(principal)).toEqual([]);
  });

  it('forceReauth of a repository deletes only the listed deploy keys: another run’s replacement survives (I8)', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'deploy_key', id: `deploy_key:${ORG}/firmware:7101` })).credentials[0]!;
    await connector.revoke(cred);
    const sink = new MemorySink();
    // Two concurrent runs, each with its own replacement for the same consumer.
    const mine = await connector.replace(cred, cred.consumers[0]!, 'run-a|k', sink);
    const theirs = await connector.replace(cred, cred.consumers[0]!, 'run-b|k', sink);
    const scope = await connector.reauthScope(cred.principal);
    expect(scope.credentials.map((c) => c.id).sort()).toEqual([mine.replacementId, theirs.replacementId].sort());
    expect(scope.effects).toEqual([]);
    const end = scope.credentials.filter((c) => c.id === mine.replacementId);
    const r = await connector.forceReauth(cred.principal, end);
    expect(r).toMatchObject({ outcome: 'done' });
    expect(r.detail).toMatch(/1 of the 1 listed/);
    expect((await connector.listActive(cred.principal)).map((c) => c.id)).toEqual([theirs.replacementId]);
    expect(tenant.calls({ provider: 'github', operation: 'repos.deleteDeployKey' }).map((c) => c.path)).toEqual([
      `/repos/${ORG}/firmware/keys/7101`,
      `/repos/${ORG}/firmware/keys/${mine.replacementId.split(':').pop()}`,
    ]);
    // Nothing to end is a no-op.
    expect(await connector.forceReauth(cred.principal, [])).toMatchObject({ outcome: 'already_done' });
  });

  it('forceReauth refuses Cordon’s own credential and credentials of another principal; apps cannot be re-authenticated', async () => {
    const principal = { id: 'acme-ci-bot', displayName: '', type: 'service_account' as const, status: 'active' as const };
    const [token] = (await connector.reauthScope(principal)).credentials;
    expect((await connectorError(connector.forceReauth(principal, [{ ...token!, selfOrLastAdmin: true }]))).kind).toBe('conflict');
    expect((await connectorError(connector.forceReauth({ ...principal, id: 'dana-ops' }, [token!]))).kind).toBe('invalid');
    const app = { id: 'app:cordon-responder', displayName: '', type: 'bot' as const, status: 'active' as const };
    expect((await connectorError(connector.reauthScope(app))).kind).toBe('unsupported');
    expect((await connectorError(connector.forceReauth(app, []))).kind).toBe('unsupported');
    expect(tenant.calls({ provider: 'github' }).filter((c) => c.method === 'DELETE')).toEqual([]);
  });
});

const github = () => tenant.emulators.github as unknown as GitHubEmulator;
const GONE: readonly GoneStatus[] = [404, 410, 422];

describe('repeated deletes: every plausible "already gone" answer is already_done', () => {
  for (const status of GONE) {
    it(`apps.deleteToken of a revoked OAuth token answering ${status}`, async () => {
      const cred = (await connector.identify({ provider: 'github', kind: 'oauth_token', leakedValue: BOT_TOKEN })).credentials[0]!;
      expect((await connector.revoke(cred)).outcome).toBe('done');
      github().setGoneAnswer('apps.deleteToken', status);
      expect((await connector.revoke(cred)).outcome).toBe('already_done');
      expect(tenant.calls({ provider: 'github', operation: 'apps.deleteToken' }).map((c) => c.status)).toEqual([204, status]);
    });

    it(`repos.deleteDeployKey of a deleted key answering ${status}`, async () => {
      const cred = (await connector.identify({ provider: 'github', kind: 'deploy_key', id: `deploy_key:${ORG}/firmware:7101` })).credentials[0]!;
      expect((await connector.revoke(cred)).outcome).toBe('done');
      github().setGoneAnswer('repos.deleteDeployKey', status);
      expect((await connector.revoke(cred)).outcome).toBe('already_done');
      expect(tenant.calls({ provider: 'github', operation: 'repos.deleteDeployKey' }).map((c) => c.status)).toEqual([204, status]);
    });
  }

  it('alreadyGone reads 404, 410 and a 422 saying "not found"; any other 422 or status is not gone', () => {
    const refusal = (status: number, data: unknown) =>
      new RequestError(`HTTP ${status}`, status, {
        request: { method: 'DELETE', url: 'https://api.github.com/x', headers: {} },
        response: { status, url: 'https://api.github.com/x', headers: { 'x-github-request-id': 'R1' }, data },
      });
    expect(alreadyGone(refusal(404, { message: 'Not Found' }))).toEqual({ requestId: 'R1' });
    expect(alreadyGone(refusal(410, { message: 'Gone' }))).toEqual({ requestId: 'R1' });
    expect(alreadyGone(refusal(422, { message: 'Validation Failed', errors: [{ resource: 'PublicKey', code: 'missing', message: 'PublicKey not found' }] }))).toEqual({ requestId: 'R1' });
    expect(alreadyGone(refusal(422, { message: 'Token has already been revoked' }))).toEqual({ requestId: 'R1' });
    expect(alreadyGone(refusal(422, { message: 'Validation Failed', errors: [{ resource: 'PublicKey', code: 'custom', message: 'key is already in use' }] }))).toBeUndefined();
    expect(alreadyGone(refusal(403, { message: 'Forbidden' }))).toBeUndefined();
    expect(alreadyGone(refusal(401, { message: 'Bad credentials' }))).toBeUndefined();
    expect(alreadyGone(new Error('socket hang up'))).toBeUndefined();
  });
});

describe('revokeAllForClient: deleting an OAuth grant (DELETE /applications/{client_id}/grant)', () => {
  const SECOND = 'gho_SecondTokenOfTheCiBot0000000000000000';
  const withSecondToken = () => {
    const section = structuredClone(circleci);
    section.credentials!.push({ ...structuredClone(section.credentials!.find((c) => c.id === 7001)!), id: 7009, value: SECOND, consumers: [] } as never);
    return load(section);
  };

  it('with a known live value: every token of that user for the app dies, other users keep theirs', async () => {
    const c = withSecondToken();
    const cred = (await c.identify({ provider: 'github', kind: 'oauth_token', leakedValue: BOT_TOKEN })).credentials[0]!;
    const r = await c.revokeAllForClient(cred);
    expect(r).toMatchObject({ outcome: 'done', requestId: expect.stringMatching(/^CA11:/) });
    expect(r.detail).toMatch(/every token the app held for this user is revoked/);
    expect(await c.probe(cred, BOT_TOKEN)).toBe('dead');
    expect(await c.probe({ ...cred, id: 'oauth_token:7009' }, SECOND)).toBe('dead');
    expect(await c.probe({ ...cred, id: 'oauth_token:7002' }, 'gho_WWHYNVHGNFRbGSd0wOFrYozddxUoct9hFfG9')).toBe('alive');
    expect(tenant.calls({ provider: 'github', operation: 'apps.deleteAuthorization' }).map((x) => x.status)).toEqual([204]);
  });

  it('without the value, or once the value is dead, it is unsupported with the reason; nothing pretends', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'oauth_token', leakedValue: BOT_TOKEN })).credentials[0]!;
    const fresh = createGitHubConnector(GitHubConnectorConfig.fromEnv(tenant.connectorEnv()));
    const noValue = await connectorError(fresh.revokeAllForClient(cred));
    expect(noValue.kind).toBe('unsupported');
    expect(noValue.message).toMatch(/does not hold the leaked value/);
    expect(tenant.calls({ provider: 'github', operation: 'apps.deleteAuthorization' })).toHaveLength(0);
    await connector.revoke(cred);
    const dead = await connectorError(connector.revokeAllForClient(cred));
    expect(dead.kind).toBe('unsupported');
    expect(dead.message).toMatch(/no longer authenticates/);
    expect(dead.message).not.toContain(BOT_TOKEN);
    const otherApp = await connectorError(connector.revokeAllForClient({ ...cred, clientId: 'Ov23liSomeoneElse0001' }));
    expect(otherApp.message).toMatch(/needs the client id and secret of OAuth app Ov23liSomeoneElse0001/);
  });
});

describe('blockApp: suspending a leaked installation token\'s installation', () => {
  const INSTALLATION = 'app_installation_token:40100200';
  const VALUE = 'ghs_a4D0ZIA1lW21h8En96LiQEtaMuXe7PvtaeLJ';
  const withKey = () =>
    createGitHubConnector(GitHubConnectorConfig.fromEnv({ ...tenant.connectorEnv(), CORDON_GITHUB_APP_KEYS: JSON.stringify({ '18001': github().appPrivateKeyPem(18001) }) }));

  it('with the app\'s key: suspended (204), its tokens refused and no longer listed; then already_done', async () => {
    const c = withKey();
    const cred = (await c.identify({ provider: 'github', kind: 'app_installation_token', id: INSTALLATION, leakedValue: VALUE })).credentials[0]!;
    expect(await c.probe(cred, VALUE)).toBe('alive');
    const r = await c.blockApp(cred);
    expect(r).toMatchObject({ outcome: 'done', requestId: expect.stringMatching(/^CA11:/) });
    expect(r.detail).toMatch(/installation 40100200 of app circleci-checks suspended/);
    expect(tenant.calls({ provider: 'github', operation: 'apps.suspendInstallation' }).map((x) => [x.status, x.credential])).toEqual([[204, 'app:18001']]);
    // Blocked, not dead: GitHub refuses the token with 403, so the probe cannot call it alive (nor dead).
    expect(await c.probe(cred, VALUE)).toBe('unknown');
    expect(await c.listActive(cred.principal)).toEqual([]);
    expect((await c.blockApp(cred)).outcome).toBe('already_done');
    expect(tenant.calls({ provider: 'github', operation: 'apps.suspendInstallation' })).toHaveLength(1);
  });

  it('without the app\'s key it is unsupported and says who can suspend it; Cordon\'s own installation is refused (I6)', async () => {
    const cred = (await connector.identify({ provider: 'github', kind: 'app_installation_token', id: INSTALLATION })).credentials[0]!;
    const err = await connectorError(connector.blockApp(cred));
    expect(err.kind).toBe('unsupported');
    expect(err.message).toMatch(/only app circleci-checks \(id 18001\) itself.*CORDON_GITHUB_APP_KEYS/);
    const own = (await connector.identify({ provider: 'github', kind: 'app_installation_token', id: 'app_installation_token:51234567' })).credentials[0]!;
    expect((await connectorError(withKey().blockApp(own))).kind).toBe('conflict');
    expect(tenant.calls({ provider: 'github', operation: 'apps.suspendInstallation' })).toHaveLength(0);
  });

  it('CORDON_GITHUB_APP_KEYS is checked and never echoed', () => {
    expect(() => GitHubConnectorConfig.fromEnv({ ...tenant.connectorEnv(), CORDON_GITHUB_APP_KEYS: '{not json' })).toThrow(/CORDON_GITHUB_APP_KEYS is not JSON/);
    expect(() => GitHubConnectorConfig.fromEnv({ ...tenant.connectorEnv(), CORDON_GITHUB_APP_KEYS: '{"18001":"secret-but-no-pem"}' })).toThrow(/^github connector: CORDON_GITHUB_APP_KEYS: a PEM private key$/);
  });
});

describe('errors', () => {
  const keysRef = { provider: 'github' as const, kind: 'deploy_key' as const, id: `deploy_key:${ORG}/firmware:7101` };

  it('secondary rate limit → rate_limited with the retry-after, without sleeping', async () => {
    tenant.injectFault({ provider: 'github', operation: 'repos.listDeployKeys', type: 'rate_limited', retryAfterSec: 7, times: 1 });
    const started = Date.now();
    const err = await connectorError(connector.identify(keysRef));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toMatchObject({ kind: 'rate_limited', retryable: true });
    expect(err.options.retryAfterMs).toBe(7000);
    expect(tenant.calls({ provider: 'github', operation: 'repos.listDeployKeys' })).toHaveLength(1); // no SDK retry
  });

  it('primary limit exhausted → rate_limited until x-ratelimit-reset', async () => {
    const c = load({ ...circleci, rateLimitPerHour: 1 });
    await c.identify(keysRef); // the one allowed call (minting the token counts against the app, not the installation)
    const err = await connectorError(c.identify(keysRef));
    expect(err.kind).toBe('rate_limited');
    expect(err.options.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(err.options.retryAfterMs).toBeLessThanOrEqual(3_601_000);
  });

  it('5xx → unavailable (retryable)', async () => {
    tenant.injectFault({ provider: 'github', operation: 'repos.listDeployKeys', type: 'unavailable', status: 502, times: 1 });
    const err = await connectorError(connector.identify(keysRef));
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(err.options.status).toBe(502);
  });

  it('expired auth → auth (not retryable) when minting a fresh installation token is refused twice', async () => {
    tenant.injectFault({ provider: 'github', operation: 'apps.createInstallationAccessToken', type: 'unauthorized', times: 2 });
    const err = await connectorError(connector.identify(keysRef));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect(err.message).toMatch(/Bad credentials/);
    expect(err.message).toMatch(/refused again after minting a fresh installation token; check that GitHub App \d+ is still installed/);
  });

  it('a one-time 401 on a revoke call refreshes the installation token and retries once', async () => {
    const cred = (await connector.identify(keysRef)).credentials[0]!;
    tenant.injectFault({ provider: 'github', operation: 'repos.deleteDeployKey', type: 'unauthorized', times: 1 });
    expect(await connector.revoke(cred)).toMatchObject({ outcome: 'done' });
    expect(tenant.calls({ provider: 'github', operation: 'repos.deleteDeployKey' }).map((c) => c.status)).toEqual([401, 204]);
    // The cached token was dropped and a new one minted from the app JWT.
    expect(tenant.calls({ provider: 'github', operation: 'apps.createInstallationAccessToken' })).toHaveLength(2);
    expect(await connector.listActive(cred.principal)).toEqual([]);
  });

  it('a 401 that survives the refresh stays auth, names what to check, and the key is still there', async () => {
    const cred = (await connector.identify(keysRef)).credentials[0]!;
    tenant.injectFault({ provider: 'github', operation: 'repos.deleteDeployKey', type: 'unauthorized' });
    const err = await connectorError(connector.revoke(cred));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect(err.message).toMatch(/CORDON_GITHUB_APP_PRIVATE_KEY/);
    expect(tenant.calls({ provider: 'github', operation: 'repos.deleteDeployKey' }).map((c) => c.status)).toEqual([401, 401]);
    tenant.clearFaults();
    expect((await connector.listActive(cred.principal)).map((c) => c.id)).toEqual([cred.id]);
  });

  it('an installation token whose revoke gets a transient 401 is not recorded as already revoked', async () => {
    const value = 'ghs_a4D0ZIA1lW21h8En96LiQEtaMuXe7PvtaeLJ';
    const cred = (await connector.identify({ provider: 'github', kind: 'app_installation_token', id: 'app_installation_token:40100200', leakedValue: value })).credentials[0]!;
    tenant.injectFault({ provider: 'github', operation: 'apps.revokeInstallationAccessToken', type: 'unauthorized', times: 1 });
    const err = await connectorError(connector.revoke(cred));
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(err.message).toMatch(/refused the revoke \(401\) but the token still authenticates; will retry/);
    expect(await connector.probe(cred, value)).toBe('alive');
    expect(await connector.revoke(cred)).toMatchObject({ outcome: 'done' });
    expect(await connector.revoke(cred)).toMatchObject({ outcome: 'already_done', detail: 'GitHub says the token no longer authenticates' });
  });

  it('a probe that gets one transient 401 does not call a live value dead', async () => {
    const value = 'ghs_a4D0ZIA1lW21h8En96LiQEtaMuXe7PvtaeLJ';
    const cred = (await connector.identify({ provider: 'github', kind: 'app_installation_token', id: 'app_installation_token:40100200', leakedValue: value })).credentials[0]!;
    tenant.injectFault({ provider: 'github', operation: 'rateLimit.get', type: 'unauthorized', times: 1 });
    expect(await connector.probe(cred, value)).toBe('alive');
  });

  it('permission denied → permission', async () => {
    const section = structuredClone(circleci);
    section.installations![0]!.permissions = { metadata: 'read' };
    const c = load(section);
    const err = await connectorError(c.identify(keysRef));
    expect(err).toMatchObject({ kind: 'permission', retryable: false });
    expect(err.message).toMatch(/Resource not accessible by integration/);
  });

  it('never puts a token value in an error message', async () => {
    tenant.injectFault({ provider: 'github', operation: 'apps.deleteToken', type: 'unavailable', status: 500, times: 1 });
    const cred: Credential = (await connector.identify({ provider: 'github', kind: 'oauth_token', leakedValue: BOT_TOKEN })).credentials[0]!;
    const err = await connectorError(connector.revoke(cred));
    expect(err.kind).toBe('unavailable');
    expect(`${err.message} ${JSON.stringify(err)} ${String(err.cause ?? '')}`).not.toContain(BOT_TOKEN);
  });
});

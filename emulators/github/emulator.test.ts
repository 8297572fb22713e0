// The GitHub emulator driven by the real @octokit/rest, every body checked against GitHub's own
// OpenAPI description (GHEC variant in @octokit/openapi).
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { RequestError } from '@octokit/request-error';
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTenant, type Tenant } from '../tenant.ts';
import type { Scenario } from '../scenario.ts';
import type { GitHubEmulator } from './emulator.ts';
import { generateGitHubLoadSection, GitHubScenario, type GitHubScenarioInput } from './scenario.ts';
import { specErrors } from './spec-validator.ts';

const circleci = JSON.parse(readFileSync(new URL('../scenarios/circleci/github.json', import.meta.url), 'utf8')) as GitHubScenarioInput;
const ORG = 'acme-robotics';
const CORDON_APP = 912345;
const CORDON_INSTALLATION = 51234567;
const OAUTH = { clientId: 'Ov23liAcmeCiBridge01', clientSecret: 'acme-ci-bridge-client-secret-6f1e9a2c' };
const BOT_TOKEN = 'gho_QXQWPkTZiBnZmdRUTuSoktjaSRocVB8a1kMf'; // 7001, SAML-authorized
const DANA_TOKEN = 'gho_WWHYNVHGNFRbGSd0wOFrYozddxUoct9hFfG9'; // 7002, dana-ops is an org owner
const CLASSIC_PAT = 'ghp_govYleKxdKaTrZjWE6paaP7RyhUFyVrJDRbx'; // 7301
const OTHER_APP_INSTALLATION_TOKEN = 'ghs_a4D0ZIA1lW21h8En96LiQEtaMuXe7PvtaeLJ';

let tenant: Tenant;
let github: GitHubEmulator;
let baseUrl: string;

function scenario(section: GitHubScenarioInput = circleci): Scenario {
  return { name: 'github-test', description: '', github: GitHubScenario.parse(section) };
}

function appJwt(appId: number, pem: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iat: now - 30, exp: now + 540, iss: appId, ...claims })}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(pem).toString('base64url')}`;
}

const kit = (auth?: string, url = baseUrl) => new Octokit({ baseUrl: url, ...(auth ? { auth } : {}), log: { debug() {}, info() {}, warn() {}, error() {} } });
function basicKit(clientId = OAUTH.clientId, secret = OAUTH.clientSecret): Octokit {
  const o = kit();
  o.hook.before('request', (options) => {
    options.headers.authorization = `basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  });
  return o;
}
const appKit = () => kit(appJwt(CORDON_APP, github.appPrivateKeyPem(CORDON_APP)!));
async function installationToken(): Promise<string> {
  const r = await appKit().rest.apps.createInstallationAccessToken({ installation_id: CORDON_INSTALLATION });
  return r.data.token;
}

async function failure(p: Promise<unknown>): Promise<RequestError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RequestError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

function expectSpec(method: string, path: string, status: number, body: unknown): void {
  expect(specErrors(method, path, status, body)).toEqual([]);
}

beforeAll(async () => {
  // Read the GHEC description before any call: its first use blocks for seconds (more on a loaded machine),
  // long enough for the server to close the keep-alive connection a test's next call would then reuse.
  void specErrors('GET', '/rate_limit', 200, {});
  tenant = await startTenant({ scenario: scenario() });
  github = tenant.emulators.github;
  baseUrl = tenant.urls.github;
});
afterAll(async () => tenant?.close());
beforeEach(() => tenant.load(scenario()));

describe('scenario', () => {
  it('counts match the section arrays of the scenario file', () => {
    expect(tenant.counts().github).toEqual({
      principals: circleci.principals!.length,
      oauthApps: circleci.oauthApps!.length,
      apps: circleci.apps!.length,
      installations: circleci.installations!.length,
      repos: circleci.repos!.length,
      credentials: circleci.credentials!.length,
      secrets: circleci.secrets!.length,
      auditEvents: circleci.auditEvents!.length,
      auditRecords: 0,
    });
  });

  it('generates a deterministic load section that parses and loads', () => {
    const a = generateGitHubLoadSection(2000);
    expect(a).toEqual(generateGitHubLoadSection(2000));
    const parsed = GitHubScenario.parse(a);
    expect(parsed.credentials).toHaveLength(2000);
    expect(new Set(parsed.credentials.map((c) => c.kind))).toEqual(new Set(['oauth_token', 'pat', 'deploy_key']));
    tenant.load(scenario(a));
    expect(tenant.counts().github!.credentials).toBe(2000);
  });

  it('gives the API URL, the org, the scenario\'s own app and OAuth app, and its credentials', () => {
    const c = github.connection()!;
    expect(c).toMatchObject({ apiUrl: baseUrl, org: ORG, app: { id: CORDON_APP, installationId: CORDON_INSTALLATION }, oauthApp: { clientId: OAUTH.clientId } });
    expect(c.app!.privateKeyPem).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(c.credentials.find((x) => x.kind === 'oauth_token' && x.id === 7001)!.consumers).toHaveLength(2);
  });
});

describe('GitHub App (JWT) and installation tokens', () => {
  it('lists and gets installations as the app, in the documented shape', async () => {
    const list = await appKit().rest.apps.listInstallations();
    expect(list.data.map((i) => i.id)).toEqual([CORDON_INSTALLATION]);
    expectSpec('GET', '/app/installations', 200, list.data);
    const one = await appKit().rest.apps.getInstallation({ installation_id: CORDON_INSTALLATION });
    expectSpec('GET', '/app/installations/{installation_id}', 200, one.data);
    // Another app's installation is invisible: 404, not 403.
    const other = await failure(appKit().rest.apps.getInstallation({ installation_id: 40100200 }));
    expect(other.status).toBe(404);
  });

  it('lists the org\'s installations for an org owner, in the documented shape', async () => {
    const r = await kit(DANA_TOKEN).rest.orgs.listAppInstallations({ org: ORG });
    expectSpec('GET', '/orgs/{org}/installations', 200, r.data);
    expect(r.data.installations.map((i) => i.app_slug).sort()).toEqual(['circleci-checks', 'cordon-responder']);
    expect((await failure(kit(BOT_TOKEN).rest.orgs.listAppInstallations({ org: ORG }))).status).toBe(403);
    expect((await failure(kit(DANA_TOKEN).rest.orgs.listAppInstallations({ org: 'someone-else' }))).status).toBe(404);
  });

  it('refuses a JWT signed with another key, and an expired one', async () => {
    const { privateKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('rsa', { modulusLength: 2048 }));
    const forged = await failure(kit(appJwt(CORDON_APP, privateKey.export({ type: 'pkcs1', format: 'pem' }).toString())).rest.apps.listInstallations());
    expect(forged.status).toBe(401);
    expect(forged.message).toMatch(/JSON web token could not be decoded/);
    const now = Math.floor(Date.now() / 1000);
    const expired = await failure(kit(appJwt(CORDON_APP, github.appPrivateKeyPem(CORDON_APP)!, { iat: now - 1200, exp: now - 600 })).rest.apps.listInstallations());
    expect(expired.status).toBe(401);
  });

  it('mints an installation token (201) that works, then revokes it: 401 Bad credentials everywhere', async () => {
    const created = await appKit().rest.apps.createInstallationAccessToken({ installation_id: CORDON_INSTALLATION });
    expect(created.status).toBe(201);
    expectSpec('POST', '/app/installations/{installation_id}/access_tokens', 201, created.data);
    expect(created.data.token).toMatch(/^ghs_/);
    const token = created.data.token;
    await kit(token).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' });
    const revoked = await kit(token).rest.apps.revokeInstallationAccessToken();
    expect(revoked.status).toBe(204);
    for (const call of [
      () => kit(token).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' }),
      () => kit(token).rest.rateLimit.get(),
      () => kit(token).rest.apps.revokeInstallationAccessToken(),
    ]) {
      const err = await failure(call());
      expect(err.status).toBe(401);
      expect(err.response?.data).toMatchObject({ message: 'Bad credentials', status: '401' });
      expectSpec('GET', '/repos/{owner}/{repo}/keys/{key_id}', 404, err.response?.data); // basic-error shape
    }
    const log = tenant.calls({ provider: 'github', operation: 'apps.revokeInstallationAccessToken' });
    expect(log[0]).toMatchObject({ status: 204, credential: `app_installation_token:${CORDON_INSTALLATION}` });
  });

  it('refuses permissions the installation was not granted (422) and suspended installations (403)', async () => {
    const err = await failure(appKit().rest.apps.createInstallationAccessToken({ installation_id: CORDON_INSTALLATION, permissions: { contents: 'write' } }));
    expect(err.status).toBe(422);
    expectSpec('POST', '/app/installations/{installation_id}/access_tokens', 422, err.response?.data);
    await appKit().rest.apps.suspendInstallation({ installation_id: CORDON_INSTALLATION });
    const suspended = await failure(appKit().rest.apps.createInstallationAccessToken({ installation_id: CORDON_INSTALLATION }));
    expect(suspended.status).toBe(403);
  });

  it('a suspended installation\'s tokens are refused (403) on every route, and it mints none until unsuspended', async () => {
    const otherApp = 18001;
    const asOther = () => kit(appJwt(otherApp, github.appPrivateKeyPem(otherApp)!));
    expect((await kit(OTHER_APP_INSTALLATION_TOKEN).rest.rateLimit.get()).status).toBe(200);
    expect((await asOther().rest.apps.suspendInstallation({ installation_id: 40100200 })).status).toBe(204);
    expect((await asOther().rest.apps.suspendInstallation({ installation_id: 40100200 })).status).toBe(204); // idempotent
    for (const call of [
      () => kit(OTHER_APP_INSTALLATION_TOKEN).rest.rateLimit.get(),
      () => kit(OTHER_APP_INSTALLATION_TOKEN).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' }),
      () => kit(OTHER_APP_INSTALLATION_TOKEN).rest.apps.revokeInstallationAccessToken(),
      () => asOther().rest.apps.createInstallationAccessToken({ installation_id: 40100200 }),
    ]) {
      const err = await failure(call());
      expect([err.status, (err.response?.data as { message: string }).message]).toEqual([403, 'This installation has been suspended']);
    }
    const listed = await asOther().rest.apps.getInstallation({ installation_id: 40100200 });
    expect(listed.data.suspended_at).toEqual(expect.any(String));
    // Only the app itself can: Cordon's app JWT does not reach another app's installation.
    expect((await failure(appKit().rest.apps.suspendInstallation({ installation_id: 40100200 }))).status).toBe(404);
    await asOther().rest.apps.unsuspendInstallation({ installation_id: 40100200 });
    expect((await kit(OTHER_APP_INSTALLATION_TOKEN).rest.rateLimit.get()).status).toBe(200);
  });

  it('uninstalling kills the installation\'s tokens', async () => {
    const token = await installationToken();
    await appKit().rest.apps.deleteInstallation({ installation_id: CORDON_INSTALLATION });
    expect((await failure(kit(token).rest.rateLimit.get())).status).toBe(401);
    expect((await failure(appKit().rest.apps.getInstallation({ installation_id: CORDON_INSTALLATION }))).status).toBe(404);
  });
});

describe('OAuth app tokens (Basic auth)', () => {
  it('checks a token (200, documented shape) and answers 404 for unknown ones', async () => {
    const r = await basicKit().rest.apps.checkToken({ client_id: OAUTH.clientId, access_token: BOT_TOKEN });
    expectSpec('POST', '/applications/{client_id}/token', 200, r.data);
    expect(r.data).toMatchObject({ id: 7001, token_last_eight: BOT_TOKEN.slice(-8), user: { login: 'acme-ci-bot' } });
    const unknown = await failure(basicKit().rest.apps.checkToken({ client_id: OAUTH.clientId, access_token: 'gho_doesnotexist0000000000000000000000' }));
    expect(unknown.status).toBe(404);
    expectSpec('POST', '/applications/{client_id}/token', 404, unknown.response?.data);
  });

  it('answers 422 when access_token is missing', async () => {
    // Sent as Octokit would with no access_token (the typed method makes it required).
    const err = await failure(basicKit().request('DELETE /applications/{client_id}/token', { client_id: OAUTH.clientId } as { client_id: string; access_token: string }));
    expect(err.status).toBe(422);
    expectSpec('DELETE', '/applications/{client_id}/token', 422, err.response?.data);
  });

  it('refuses a wrong client secret with 404', async () => {
    const err = await failure(basicKit(OAUTH.clientId, 'wrong-secret-000000').rest.apps.checkToken({ client_id: OAUTH.clientId, access_token: BOT_TOKEN }));
    expect(err.status).toBe(404);
  });

  it('resets a token: new value works, the old one is dead', async () => {
    const r = await basicKit().rest.apps.resetToken({ client_id: OAUTH.clientId, access_token: DANA_TOKEN });
    expectSpec('PATCH', '/applications/{client_id}/token', 200, r.data);
    expect(r.data.token).not.toBe(DANA_TOKEN);
    expect(r.data.id).toBe(7002);
    await kit(r.data.token).rest.rateLimit.get();
    expect((await failure(kit(DANA_TOKEN).rest.rateLimit.get())).status).toBe(401);
    expect((await failure(basicKit().rest.apps.checkToken({ client_id: OAUTH.clientId, access_token: DANA_TOKEN }))).status).toBe(404);
  });

  it('a repeated delete answers the shape the test picks (404 by default); unknown values and keys stay 404', async () => {
    await basicKit().rest.apps.deleteToken({ client_id: OAUTH.clientId, access_token: DANA_TOKEN });
    const o = kit(await installationToken());
    await o.rest.repos.deleteDeployKey({ owner: ORG, repo: 'firmware', key_id: 7101 });
    const repeatToken = () => failure(basicKit().rest.apps.deleteToken({ client_id: OAUTH.clientId, access_token: DANA_TOKEN }));
    const repeatKey = () => failure(o.rest.repos.deleteDeployKey({ owner: ORG, repo: 'firmware', key_id: 7101 }));
    for (const status of [410, 422, 404] as const) {
      github.setGoneAnswer('apps.deleteToken', status);
      github.setGoneAnswer('repos.deleteDeployKey', status);
      for (const repeat of [repeatToken, repeatKey]) {
        const err = await repeat();
        expect(err.status).toBe(status);
        if (status === 422) expect(err.message).toMatch(/not found/);
      }
    }
    github.setGoneAnswer('apps.deleteToken', 410);
    github.setGoneAnswer('repos.deleteDeployKey', 410);
    expect((await failure(basicKit().rest.apps.deleteToken({ client_id: OAUTH.clientId, access_token: 'gho_doesnotexist0000000000000000000000' }))).status).toBe(404);
    expect((await failure(o.rest.repos.deleteDeployKey({ owner: ORG, repo: 'firmware', key_id: 999 }))).status).toBe(404);
    tenant.load(scenario());
    await basicKit().rest.apps.deleteToken({ client_id: OAUTH.clientId, access_token: DANA_TOKEN });
    expect((await repeatToken()).status).toBe(404); // load() forgets the picked answers
  });

  it('deletes a token (204); the second delete is 404 and the value answers 401 everywhere', async () => {
    await kit(DANA_TOKEN).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' });
    const r = await basicKit().rest.apps.deleteToken({ client_id: OAUTH.clientId, access_token: DANA_TOKEN });
    expect(r.status).toBe(204);
    expect((await failure(basicKit().rest.apps.deleteToken({ client_id: OAUTH.clientId, access_token: DANA_TOKEN }))).status).toBe(404);
    const dead = await failure(kit(DANA_TOKEN).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' }));
    expect(dead.status).toBe(401);
    expect(dead.message).toMatch(/^Bad credentials/);
    const calls = tenant.calls({ provider: 'github', operation: 'apps.deleteToken' });
    expect(calls.map((c) => c.status)).toEqual([204, 404]);
    expect(calls[0]).toMatchObject({ credential: `oauth_app:${OAUTH.clientId}`, target: 'oauth_token:7002' });
    expect(JSON.stringify(tenant.calls())).not.toContain(DANA_TOKEN);
  });

  it('deletes the grant: every token of that app for that user dies', async () => {
    const r = await basicKit().rest.apps.deleteAuthorization({ client_id: OAUTH.clientId, access_token: BOT_TOKEN });
    expect(r.status).toBe(204);
    expect((await failure(kit(BOT_TOKEN).rest.rateLimit.get())).status).toBe(401);
    await kit(DANA_TOKEN).rest.rateLimit.get(); // another user's token of the same app lives
  });
});

describe('org credentials', () => {
  it('lists fine-grained PAT grants (GitHub Apps only), revokes one (204, then 404) and in bulk (202)', async () => {
    tenant.load({ name: 'cf', description: '', github: GitHubScenario.parse(JSON.parse(readFileSync(new URL('../scenarios/cloudflare-okta/github.json', import.meta.url), 'utf8'))) });
    const pem = github.appPrivateKeyPem(913370)!;
    const token = (await kit(appJwt(913370, pem)).rest.apps.createInstallationAccessToken({ installation_id: 52200100 })).data.token;
    const org = 'lumen-edge';
    const list = await kit(token).rest.orgs.listPatGrants({ org, per_page: 1 });
    expectSpec('GET', '/orgs/{org}/personal-access-tokens', 200, list.data);
    expect(list.headers.link).toMatch(/rel="next"/);
    const all = await kit(token).paginate(kit(token).rest.orgs.listPatGrants, { org, per_page: 1 });
    expect(all.map((g) => g.id).sort()).toEqual([8001, 8005]);
    const filtered = await kit(token).rest.orgs.listPatGrants({ org, owner: ['svc-atlassian-sync'] });
    expect(filtered.data.map((g) => g.token_id)).toEqual([99001]);
    // A user's own token cannot use this endpoint.
    expect((await failure(kit('ghp_Ouv6NPv6c3GcVBaUmMlioBO12r1c0CeIzxEH').rest.orgs.listPatGrants({ org }))).status).toBe(403);

    const fgValue = 'github_pat_11AJL2Q0Y0JL2LC4NwEzG8kJ9cj3slNMLkwrvQAhAT35EZ';
    await kit(fgValue).rest.repos.listDeployKeys({ owner: org, repo: 'edge-config' }).catch(() => undefined);
    expect((await kit(token).rest.orgs.updatePatAccess({ org, pat_id: 8001, action: 'revoke' })).status).toBe(204);
    expect((await failure(kit(token).rest.orgs.updatePatAccess({ org, pat_id: 8001, action: 'revoke' }))).status).toBe(404);
    // Org access is gone; the token itself still authenticates (GitHub REST API docs: SAML credential authorizations).
    expect((await failure(kit(fgValue).rest.actions.listRepoSecrets({ owner: org, repo: 'edge-config' }))).status).toBe(403);
    await kit(fgValue).rest.rateLimit.get();
    const bulk = await kit(token).rest.orgs.updatePatAccesses({ org, action: 'revoke', pat_ids: [8005, 8001] });
    expect(bulk.status).toBe(202);
    expectSpec('POST', '/orgs/{org}/personal-access-tokens', 202, bulk.data);
    expect((await kit(token).rest.orgs.listPatGrants({ org })).data).toEqual([]);
  });

  it('lists SAML credential authorizations and removes one (204, then 404)', async () => {
    const owner = kit(DANA_TOKEN);
    const list = await owner.request('GET /orgs/{org}/credential-authorizations', { org: ORG });
    expectSpec('GET', '/orgs/{org}/credential-authorizations', 200, list.data);
    expect((list.data as Array<{ credential_id: number }>).map((a) => a.credential_id).sort()).toEqual([7301, 880001]);
    const byLogin = await owner.request('GET /orgs/{org}/credential-authorizations', { org: ORG, login: 'acme-ci-bot' });
    expect(byLogin.data).toHaveLength(2);
    const del = await owner.request('DELETE /orgs/{org}/credential-authorizations/{credential_id}', { org: ORG, credential_id: 7301 });
    expect(del.status).toBe(204);
    const again = await failure(owner.request('DELETE /orgs/{org}/credential-authorizations/{credential_id}', { org: ORG, credential_id: 7301 }));
    expect(again.status).toBe(404);
    expectSpec('DELETE', '/orgs/{org}/credential-authorizations/{credential_id}', 404, again.response?.data);
    // The classic PAT lost access to the org (SAML), though the value itself still authenticates.
    const saml = await failure(kit(CLASSIC_PAT).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' }));
    expect(saml.status).toBe(403);
    expect(saml.message).toMatch(/SAML enforcement/);
    // A non-owner member is refused.
    expect((await failure(kit(BOT_TOKEN).request('GET /orgs/{org}/credential-authorizations', { org: ORG }))).status).toBe(403);
  });

  it('deploy keys: list, create (201 + Location), duplicate and invalid (422), get, delete (204), then 404', async () => {
    const token = await installationToken();
    const o = kit(token);
    const list = await o.rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' });
    expectSpec('GET', '/repos/{owner}/{repo}/keys', 200, list.data);
    expect(list.data.map((k) => k.id)).toEqual([7101]);
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBLgbLv9Rj0hfPYYAm6I+asE0x7h1029Hb3N7RJDC7Dh';
    const created = await o.rest.repos.createDeployKey({ owner: ORG, repo: 'firmware', key: `${key} ci@acme`, title: 'rotated', read_only: true });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${baseUrl}/repos/${ORG}/firmware/keys/${created.data.id}`);
    expectSpec('POST', '/repos/{owner}/{repo}/keys', 201, created.data);
    const dup = await failure(o.rest.repos.createDeployKey({ owner: ORG, repo: 'web-portal', key }));
    expect(dup.status).toBe(422);
    expect(dup.message).toMatch(/key is already in use/);
    expectSpec('POST', '/repos/{owner}/{repo}/keys', 422, dup.response?.data);
    expect((await failure(o.rest.repos.createDeployKey({ owner: ORG, repo: 'firmware', key: 'not a key' }))).status).toBe(422);
    const got = await o.rest.repos.getDeployKey({ owner: ORG, repo: 'firmware', key_id: 7101 });
    expectSpec('GET', '/repos/{owner}/{repo}/keys/{key_id}', 200, got.data);
    expect((await o.rest.repos.deleteDeployKey({ owner: ORG, repo: 'firmware', key_id: 7101 })).status).toBe(204);
    expect((await failure(o.rest.repos.getDeployKey({ owner: ORG, repo: 'firmware', key_id: 7101 }))).status).toBe(404);
    expect((await failure(o.rest.repos.deleteDeployKey({ owner: ORG, repo: 'firmware', key_id: 7101 }))).status).toBe(404);
    // Paginated with Link: two keys, one per page.
    const all = await o.paginate(o.rest.repos.listDeployKeys, { owner: ORG, repo: 'firmware', per_page: 1 });
    expect(all.map((k) => k.title)).toEqual(['rotated']);
    // An installation limited to other repos cannot see this one: 404, not 403.
    expect((await failure(o.rest.repos.listDeployKeys({ owner: ORG, repo: 'nope' }))).status).toBe(404);
    const otherApp = await failure(kit(OTHER_APP_INSTALLATION_TOKEN).rest.repos.listDeployKeys({ owner: ORG, repo: 'infra-terraform' }));
    expect(otherApp.status).toBe(404);
  });

  it('Actions secrets: sealed-box PUT (201 then 204), decrypted value kept, get/list/delete, wrong key_id 422', async () => {
    await sodium.ready;
    const o = kit(await installationToken());
    const pk = await o.rest.actions.getRepoPublicKey({ owner: ORG, repo: 'web-portal' });
    expectSpec('GET', '/repos/{owner}/{repo}/actions/secrets/public-key', 200, pk.data);
    const seal = (value: string) =>
      sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(value), sodium.from_base64(pk.data.key, sodium.base64_variants.ORIGINAL)), sodium.base64_variants.ORIGINAL);
    const first = await o.rest.actions.createOrUpdateRepoSecret({ owner: ORG, repo: 'web-portal', secret_name: 'NEW_TOKEN', encrypted_value: seal('v1-secret'), key_id: pk.data.key_id });
    expect(first.status).toBe(201);
    expectSpec('PUT', '/repos/{owner}/{repo}/actions/secrets/{secret_name}', 201, first.data);
    const second = await o.rest.actions.createOrUpdateRepoSecret({ owner: ORG, repo: 'web-portal', secret_name: 'NEW_TOKEN', encrypted_value: seal('v2-secret'), key_id: pk.data.key_id });
    expect(second.status).toBe(204);
    expect(github.revealSecret(ORG, 'web-portal', 'NEW_TOKEN')).toBe('v2-secret');
    const got = await o.rest.actions.getRepoSecret({ owner: ORG, repo: 'web-portal', secret_name: 'NEW_TOKEN' });
    expectSpec('GET', '/repos/{owner}/{repo}/actions/secrets/{secret_name}', 200, got.data);
    const list = await o.rest.actions.listRepoSecrets({ owner: ORG, repo: 'web-portal' });
    expectSpec('GET', '/repos/{owner}/{repo}/actions/secrets', 200, list.data);
    expect(list.data.secrets.map((s) => s.name)).toEqual(['CI_GITHUB_TOKEN', 'NEW_TOKEN']);
    const wrong = await failure(o.rest.actions.createOrUpdateRepoSecret({ owner: ORG, repo: 'web-portal', secret_name: 'X', encrypted_value: seal('x'), key_id: '1' }));
    expect(wrong.status).toBe(422);
    expect((await o.rest.actions.deleteRepoSecret({ owner: ORG, repo: 'web-portal', secret_name: 'NEW_TOKEN' })).status).toBe(204);
    expect((await failure(o.rest.actions.getRepoSecret({ owner: ORG, repo: 'web-portal', secret_name: 'NEW_TOKEN' }))).status).toBe(404);
    expect(JSON.stringify(tenant.calls())).not.toContain('v2-secret');
  });

  it('POST /credentials/revoke: unauthenticated 202 kills the values; authenticated 403; bad body 422', async () => {
    const anonymous = kit();
    const r = await anonymous.rest.credentials.revoke({ credentials: [CLASSIC_PAT, OTHER_APP_INSTALLATION_TOKEN] });
    expect(r.status).toBe(202);
    expectSpec('POST', '/credentials/revoke', 202, r.data);
    expect((await failure(kit(CLASSIC_PAT).rest.rateLimit.get())).status).toBe(401);
    await kit(OTHER_APP_INSTALLATION_TOKEN).rest.rateLimit.get(); // installation tokens are not revocable there
    expect((await failure(kit(DANA_TOKEN).rest.credentials.revoke({ credentials: [BOT_TOKEN] }))).status).toBe(403);
    await kit(BOT_TOKEN).rest.rateLimit.get();
    const bad = await failure(anonymous.rest.credentials.revoke({ credentials: [] }));
    expect(bad.status).toBe(422);
    expectSpec('POST', '/credentials/revoke', 422, bad.response?.data);
  });

  it('POST /credentials/revoke: body rules (422), unknown values 202, bad credentials 401, no values in the call log, the unauthenticated limit', async () => {
    const anonymous = kit();
    const post = (body: unknown) => failure(anonymous.request('POST /credentials/revoke', body as { credentials: string[] }));
    for (const body of [{}, { credentials: 'ghp_x' }, { credentials: [1, 2] }, { credentials: [CLASSIC_PAT, null] }, { credentials: Array.from({ length: 1001 }, (_, i) => `ghp_${i}`) }]) {
      const bad = await post(body);
      expect(bad.status).toBe(422);
      expect(bad.response?.data).toMatchObject({ message: 'Validation Failed' });
      expectSpec('POST', '/credentials/revoke', 422, bad.response?.data);
    }
    await kit(CLASSIC_PAT).rest.rateLimit.get(); // nothing was revoked by a refused body

    // 1,000 values is the most one request takes; unknown strings are accepted and ignored.
    const full = await anonymous.rest.credentials.revoke({ credentials: [...Array.from({ length: 999 }, (_, i) => `ghp_unknown${i}`), 'not-a-token'] });
    expect(full.status).toBe(202);
    expect(full.data).toEqual({});

    // Any Authorization is refused: a live credential 403, a dead or unknown one 401 Bad credentials (as on every route).
    expect((await failure(kit(await installationToken()).rest.credentials.revoke({ credentials: [CLASSIC_PAT] }))).status).toBe(403);
    expect((await failure(basicKit().rest.credentials.revoke({ credentials: [CLASSIC_PAT] }))).status).toBe(403);
    expect((await failure(kit('ghp_unknown000000000000000000000000000').rest.credentials.revoke({ credentials: [CLASSIC_PAT] }))).status).toBe(401);
    await kit(CLASSIC_PAT).rest.rateLimit.get();

    // Classic PAT and OAuth token die (every route 401); the installation token lives; the audit log says so.
    const r = await anonymous.rest.credentials.revoke({ credentials: [CLASSIC_PAT, DANA_TOKEN, OTHER_APP_INSTALLATION_TOKEN] });
    expect(r.status).toBe(202);
    expect(r.headers['x-ratelimit-limit']).toBe('60');
    for (const dead of [CLASSIC_PAT, DANA_TOKEN]) {
      const e = await failure(kit(dead).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' }));
      expect([e.status, (e.response?.data as { message?: string }).message]).toEqual([401, 'Bad credentials']);
    }
    await kit(OTHER_APP_INSTALLATION_TOKEN).rest.rateLimit.get();
    const events = await kit(await installationToken()).request('GET /orgs/{org}/audit-log', { org: ORG, include: 'all', phrase: 'action:credential.revoked_by_report' });
    expect((events.data as Array<{ user?: string }>).map((e) => e.user).sort()).toEqual(['acme-ci-bot', 'dana-ops']);

    // The call log names credential ids (never values), and no caller.
    const calls = tenant.calls({ provider: 'github', operation: 'credentials.revoke' });
    expect(calls.at(-1)).toMatchObject({ status: 202, target: 'pat:7301,oauth_token:7002' });
    expect(calls.at(-1)!.credential).toBeUndefined();
    const log = JSON.stringify(tenant.calls());
    for (const v of [CLASSIC_PAT, DANA_TOKEN, OTHER_APP_INSTALLATION_TOKEN, 'ghp_unknown1']) expect(log).not.toContain(v);

    // GitHub's unauthenticated budget: 60 requests an hour, then 403 with x-ratelimit-remaining: 0.
    const used = Number(r.headers['x-ratelimit-used']);
    for (let i = used; i < 60; i++) await anonymous.rest.credentials.revoke({ credentials: ['ghp_unknown'] });
    const limited = await failure(anonymous.rest.credentials.revoke({ credentials: [BOT_TOKEN] }));
    expect(limited.status).toBe(403);
    expect(limited.response?.headers['x-ratelimit-remaining']).toBe('0');
    expect(limited.message).toMatch(/API rate limit exceeded/);
    await kit(BOT_TOKEN).rest.rateLimit.get();
  });

  it('POST /credentials/revoke honours injected faults and per-operation rate limits', async () => {
    const anonymous = kit();
    tenant.injectFault({ provider: 'github', operation: 'credentials.revoke', type: 'rate_limited', retryAfterSec: 30, times: 1 });
    const limited = await failure(anonymous.rest.credentials.revoke({ credentials: [CLASSIC_PAT] }));
    expect(limited.status).toBe(403);
    expect(limited.response?.headers['retry-after']).toBe('30');
    await kit(CLASSIC_PAT).rest.rateLimit.get(); // the refused request revoked nothing
    tenant.setRateLimit({ provider: 'github', operation: 'credentials.revoke', limit: 1, windowSec: 60 });
    expect((await anonymous.rest.credentials.revoke({ credentials: ['ghp_unknown'] })).status).toBe(202);
    const spent = await failure(anonymous.rest.credentials.revoke({ credentials: [CLASSIC_PAT] }));
    expect(spent.status).toBe(403);
    expect(Number(spent.response?.headers['retry-after'])).toBeGreaterThan(50);
    await kit(CLASSIC_PAT).rest.rateLimit.get();
    expect(tenant.calls({ provider: 'github', operation: 'credentials.revoke' }).map((c) => c.fault ?? c.status)).toEqual(['rate_limited', 202, 'rate_limited']);
  });

  it('audit log: documented shape, hashed_token search, cursor pagination, and Cordon\'s own actions appear', async () => {
    const owner = kit(DANA_TOKEN);
    const all = await owner.request('GET /orgs/{org}/audit-log', { org: ORG, include: 'all', per_page: 100 });
    expectSpec('GET', '/orgs/{org}/audit-log', 200, all.data);
    expect(all.data).toHaveLength(circleci.auditEvents!.length);
    const { createHash } = await import('node:crypto');
    const hashed = createHash('sha256').update(BOT_TOKEN).digest('base64');
    const byToken = await owner.request('GET /orgs/{org}/audit-log', { org: ORG, include: 'all', phrase: `hashed_token:"${hashed}"` });
    expect((byToken.data as Array<{ action: string }>).map((e) => e.action).sort()).toEqual(['git.clone', 'git.clone', 'repo.download_zip']);
    const web = await owner.request('GET /orgs/{org}/audit-log', { org: ORG });
    expect((web.data as Array<{ action: string }>).every((e) => !e.action.startsWith('git.'))).toBe(true);
    const paged = await owner.paginate('GET /orgs/{org}/audit-log', { org: ORG, include: 'all', per_page: 2 });
    expect(paged).toHaveLength(circleci.auditEvents!.length);
    await kit(await installationToken()).rest.repos.deleteDeployKey({ owner: ORG, repo: 'firmware', key_id: 7101 });
    const after = await owner.request('GET /orgs/{org}/audit-log', { org: ORG, phrase: 'action:public_key' });
    expect(after.data).toMatchObject([{ action: 'public_key.delete', actor: 'cordon-responder[bot]', repo: `${ORG}/firmware` }]);
  });
});

describe('seeded audit records', () => {
  const entry = (i: number, extra: Record<string, unknown> = {}) => ({
    '@timestamp': Date.parse('2026-03-02T10:00:00Z') + i * 1000,
    _document_id: `seed-${String(i).padStart(3, '0')}`,
    action: i % 2 ? 'git.clone' : 'repo.download_zip',
    actor: 'acme-ci-bot',
    hashed_token: i % 3 ? 'aGFzaC1h' : 'aGFzaC1i',
    ...extra,
  });

  it('serve as they are, filtered by phrase, in either order, paged by after/before positions that survive new arrivals', async () => {
    tenant.load({ name: 'audit-records', description: '', github: GitHubScenario.parse(circleci) });
    const owner = kit(DANA_TOKEN);
    expect(tenant.addAuditRecords('github', Array.from({ length: 7 }, (_, i) => ({ record: entry(i) })))).toBe(7);
    const since = 'created:>=2026-03-02T10:00:00+00:00';
    const ids = (data: unknown) => (data as Array<{ _document_id: string }>).map((e) => e._document_id);
    const asc = await owner.request('GET /orgs/{org}/audit-log', { org: ORG, include: 'all', order: 'asc', per_page: 3, phrase: since });
    expect(ids(asc.data)).toEqual(['seed-000', 'seed-001', 'seed-002']);
    expect(asc.data[0]).toEqual(entry(0));
    // A record arriving between two page reads does not shift the next page.
    tenant.addAuditRecords('github', [{ record: entry(-5) }]);
    const next = /<([^>]+)>; rel="next"/.exec(asc.headers.link ?? '')![1]!;
    const page2 = await owner.request(`GET ${new URL(next).pathname}${new URL(next).search}`);
    expect(ids(page2.data)).toEqual(['seed-003', 'seed-004', 'seed-005']);
    const prev = /<([^>]+)>; rel="prev"/.exec(page2.headers.link ?? '')![1]!;
    expect(ids((await owner.request(`GET ${new URL(prev).pathname}${new URL(prev).search}`)).data)).toEqual(['seed-000', 'seed-001', 'seed-002']);
    const desc = await owner.paginate('GET /orgs/{org}/audit-log', { org: ORG, include: 'all', per_page: 2, phrase: `${since} hashed_token:"aGFzaC1i"` });
    expect(ids(desc)).toEqual(['seed-006', 'seed-003', 'seed-000']);
    const web = await owner.request('GET /orgs/{org}/audit-log', { org: ORG, phrase: `${since} -actor:nobody created:<=2026-03-02T10:00:04Z` });
    expect(ids(web.data)).toEqual(['seed-004', 'seed-002', 'seed-000']);
    await expect(owner.request('GET /orgs/{org}/audit-log', { org: ORG, after: 'not-a-cursor' })).rejects.toMatchObject({ status: 422 });
  });

  it('stay hidden until the audit clock passes their availableAt', async () => {
    tenant.load({ name: 'audit-lag', description: '', github: GitHubScenario.parse(circleci) });
    tenant.addAuditRecords('github', [{ record: entry(1), availableAt: '2026-03-02T12:00:00Z' }]);
    const read = async () => ((await kit(DANA_TOKEN).request('GET /orgs/{org}/audit-log', { org: ORG, include: 'all', phrase: 'created:>=2026-03-01' })).data as unknown[]).length;
    tenant.setAuditTime('2026-03-02T11:59:59Z');
    expect(await read()).toBe(0);
    tenant.setAuditTime('2026-03-02T12:00:00Z');
    expect(await read()).toBe(1);
    expect(() => tenant.addAuditRecords('github', [{ record: entry(2), availableAt: 'soon' }])).toThrow(/github audit records: 0\.availableAt/);
  });
});

describe('control API: audit records and the audit clock', () => {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${tenant.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('appends records in bulk, names a bad field, and sets or frees the clock', async () => {
    tenant.load({ name: 'control-audit', description: '', github: GitHubScenario.parse(circleci) });
    const records = Array.from({ length: 20_000 }, (_, i) => ({ record: { '@timestamp': Date.parse('2026-03-02T10:00:00Z') + i, _document_id: `bulk-${i}`, action: 'git.clone', actor: 'acme-ci-bot' } }));
    const started = Date.now();
    const ok = await post('/audit-records', { provider: 'github', records });
    expect(ok.status).toBe(201);
    expect(ok.body.added).toBe(20_000);
    expect(ok.body.counts.github.auditRecords).toBe(20_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    const bad = await post('/audit-records', { provider: 'github', records: [{ record: {} }, { record: {}, availableAt: 'later' }] });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', message: expect.stringMatching(/1\.availableAt/) } } });
    expect((await post('/audit-records', { provider: 'nope', records: [] })).body.error.message).toMatch(/^provider:/);
    expect((await post('/audit-clock', { now: '2026-03-02T12:00:00Z' })).body).toEqual({ now: '2026-03-02T12:00:00.000Z', fixed: '2026-03-02T12:00:00.000Z' });
    expect((await post('/audit-clock', { now: 'noon' })).status).toBe(400);
    expect((await post('/audit-clock', { now: null })).body.fixed).toBeNull();
  });
});

describe('rate limits and faults', () => {
  it('every answer carries x-ratelimit-*; /rate_limit does not count and matches its schema', async () => {
    const o = kit(DANA_TOKEN);
    const a = await o.rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' });
    expect(a.headers['x-ratelimit-limit']).toBe('5000');
    expect(a.headers['x-ratelimit-used']).toBe('1');
    expect(a.headers['x-ratelimit-resource']).toBe('core');
    expect(Number(a.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    const rl = await o.rest.rateLimit.get();
    expectSpec('GET', '/rate_limit', 200, rl.data);
    expect(rl.data.rate).toMatchObject({ limit: 5000, used: 1, remaining: 4999 });
    const anon = await kit().rest.rateLimit.get();
    expect(anon.data.rate.limit).toBe(60);
  });

  it('primary limit exhaustion answers 403 with x-ratelimit-remaining: 0', async () => {
    tenant.load(scenario({ ...circleci, rateLimitPerHour: 2 }));
    const o = kit(DANA_TOKEN);
    await o.rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' });
    await o.rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' });
    const err = await failure(o.rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' }));
    expect(err.status).toBe(403);
    expect(err.response?.headers['x-ratelimit-remaining']).toBe('0');
    expect(err.message).toMatch(/API rate limit exceeded/);
    expectSpec('GET', '/repos/{owner}/{repo}/keys/{key_id}', 404, err.response?.data);
  });

  it('an injected rate-limit fault looks like GitHub\'s secondary limit to Octokit; 5xx as GitHub sends it', async () => {
    tenant.injectFault({ provider: 'github', operation: 'repos.listDeployKeys', type: 'rate_limited', retryAfterSec: 7, times: 1 });
    const o = kit(DANA_TOKEN);
    const limited = await failure(o.rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' }));
    expect(limited.status).toBe(403);
    expect(limited.message).toMatch(/\bsecondary rate\b/i);
    expect(limited.response?.headers['retry-after']).toBe('7');
    expect(limited.response?.headers['x-ratelimit-limit']).toBeDefined();
    tenant.injectFault({ provider: 'github', type: 'unavailable', status: 503, times: 1 });
    const down = await failure(o.rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' }));
    expect(down.status).toBe(503);
    expect(down.response?.data).toMatchObject({ message: 'Service Unavailable' });
    expect((await o.rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' })).status).toBe(200);
    expect(tenant.calls({ provider: 'github', operation: 'repos.listDeployKeys' }).map((c) => c.fault ?? c.status)).toEqual(['rate_limited', 'unavailable', 200]);
  });
});

// Last: a second tenant's start and close, and its key generation, must not sit between another test's calls.
describe('call log labels', () => {
  it('labels credentials in the call log as the host asks (default `<kind>:<GitHub id>`)', async () => {
    const labelled = await startTenant({ scenario: scenario(), githubCredentialLabel: (c, org) => `${org}/${c.kind}/${c.id}` });
    try {
      await kit(DANA_TOKEN, labelled.urls.github).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' });
      expect(labelled.calls({ provider: 'github', operation: 'repos.listDeployKeys' })[0]!.credential).toBe(`${ORG}/oauth_token/7002`);
    } finally {
      await labelled.close();
    }
    await kit(DANA_TOKEN).rest.repos.listDeployKeys({ owner: ORG, repo: 'firmware' });
    expect(tenant.calls({ provider: 'github', operation: 'repos.listDeployKeys' })[0]!.credential).toBe('oauth_token:7002');
  });
});

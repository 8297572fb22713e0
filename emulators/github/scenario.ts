// The github section of a scenario file: one organization, its members, the OAuth apps and GitHub
// Apps that hold tokens in it, repos, credentials (with their consumers), Actions secrets and audit
// events. Pure zod. Ids are GitHub's own integer ids (authorization id, pat grant id, SAML
// credential id, deploy key id), so what the emulator answers is what the real API would show.
import { z } from 'zod';
import { AuditSeed } from '../core/audit-log.ts';
import { Consumer, PrincipalStatus, PrincipalType } from '../core/types.ts';

const IsoTime = z.string().datetime({ offset: true });
const Login = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?$/, 'a GitHub login');
const Permission = z.enum(['read', 'write', 'admin']);

export const GitHubMember = z.object({
  login: Login,
  id: z.number().int().positive(),
  name: z.string().optional(),
  type: PrincipalType.default('user'),
  status: PrincipalStatus.default('active'),
  /** Org owners may list SAML authorizations, deploy keys, secrets and the audit log with their own tokens. */
  orgRole: z.enum(['admin', 'member']).default('member'),
});

export const GitHubOAuthApp = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(8),
  /** Cordon's own OAuth app: its client credentials are handed to the client under test (connection()). */
  cordon: z.boolean().default(false),
});

export const GitHubApp = z.object({
  id: z.number().int().positive(),
  slug: z.string(),
  name: z.string(),
  clientId: z.string(),
  /** PEM of the app's registered key; when omitted the emulator generates a key pair on load. */
  publicKeyPem: z.string().optional(),
  /** Cordon's own GitHub App: its private key and installation go to the client under test (connection()). */
  cordon: z.boolean().default(false),
});

export const GitHubInstallation = z.object({
  id: z.number().int().positive(),
  appId: z.number().int().positive(),
  repositorySelection: z.enum(['all', 'selected']).default('all'),
  repositories: z.array(z.string()).default([]),
  permissions: z.record(z.string(), Permission),
  events: z.array(z.string()).default([]),
  createdAt: IsoTime,
  suspendedAt: IsoTime.optional(),
});

export const GitHubRepo = z.object({
  id: z.number().int().positive(),
  name: z.string().regex(/^[A-Za-z0-9._-]+$/),
  private: z.boolean().default(true),
});

const CredentialBase = {
  id: z.number().int().positive(),
  createdAt: IsoTime,
  lastUsedAt: IsoTime.optional(),
  expiresAt: IsoTime.optional(),
  consumers: z.array(Consumer).default([]),
};

export const GitHubCredential = z.discriminatedUnion('kind', [
  z.object({
    ...CredentialBase,
    kind: z.literal('oauth_token'),
    /** The OAuth app (client id) the token was issued to. */
    clientId: z.string(),
    owner: Login,
    value: z.string().regex(/^gh[ou]_[A-Za-z0-9]{20,}$/, 'an OAuth app (gho_) or GitHub App user (ghu_) token'),
    scopes: z.array(z.string()).default([]),
    note: z.string().optional(),
    /** Set when the token is SAML-authorized for the org (listed in credential-authorizations). */
    samlCredentialId: z.number().int().positive().optional(),
  }),
  z.object({
    ...CredentialBase,
    kind: z.literal('app_installation_token'),
    installationId: z.number().int().positive(),
    value: z.string().regex(/^ghs_[A-Za-z0-9]{20,}$/, 'an installation token (ghs_)'),
  }),
  z.discriminatedUnion('patType', [
    z.object({
      ...CredentialBase,
      kind: z.literal('pat'),
      patType: z.literal('fine_grained'),
      /** `id` is the org's grant id (pat_id); tokenId is the token's own id. */
      tokenId: z.number().int().positive(),
      name: z.string(),
      owner: Login,
      value: z.string().regex(/^github_pat_[A-Za-z0-9_]{20,}$/, 'a fine-grained PAT (github_pat_)'),
      repositorySelection: z.enum(['none', 'all', 'subset']).default('all'),
      permissions: z
        .object({
          organization: z.record(z.string(), z.string()).default({}),
          repository: z.record(z.string(), z.string()).default({}),
          other: z.record(z.string(), z.string()).default({}),
        })
        .default({ organization: {}, repository: {}, other: {} }),
    }),
    z.object({
      ...CredentialBase,
      kind: z.literal('pat'),
      patType: z.literal('classic'),
      /** `id` is the SAML credential authorization id (credential_id). */
      owner: Login,
      note: z.string().default(''),
      value: z.string().regex(/^ghp_[A-Za-z0-9]{20,}$/, 'a classic PAT (ghp_)'),
      scopes: z.array(z.string()).default([]),
    }),
  ]),
  z.object({
    ...CredentialBase,
    kind: z.literal('deploy_key'),
    repo: z.string(),
    title: z.string(),
    /** OpenSSH public key line, e.g. `ssh-ed25519 AAAA…`. */
    publicKey: z.string().regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256) [A-Za-z0-9+/=]+/),
    readOnly: z.boolean().default(true),
    addedBy: Login.optional(),
  }),
]);
export type GitHubCredential = z.infer<typeof GitHubCredential>;

export const GitHubSecret = z.object({
  repo: z.string(),
  name: z.string().regex(/^[A-Z_][A-Z0-9_]*$/i),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  /** The clear value as the consumer holds it; tests compare what Cordon delivers with it. */
  value: z.string().optional(),
});

export const GitHubAuditEvent = z.object({
  at: IsoTime,
  action: z.string().regex(/^[a-z_]+\.[a-z_]+$/),
  actor: z.string(),
  user: z.string().optional(),
  repo: z.string().optional(),
  /** The scenario credential id the event was performed with (gives hashed_token, token_id). */
  credentialId: z.number().int().positive().optional(),
  country: z.string().optional(),
});

export const GitHubScenario = z
  .object({
    org: z.object({ login: Login, id: z.number().int().positive(), name: z.string().optional() }),
    principals: z.array(GitHubMember).default([]),
    oauthApps: z.array(GitHubOAuthApp).default([]),
    apps: z.array(GitHubApp).default([]),
    installations: z.array(GitHubInstallation).default([]),
    repos: z.array(GitHubRepo).default([]),
    credentials: z.array(GitHubCredential).default([]),
    secrets: z.array(GitHubSecret).default([]),
    auditEvents: z.array(GitHubAuditEvent).default([]),
    /** Org audit-log entries as GET /orgs/{org}/audit-log returns them (`@timestamp` in ms, `_document_id`, …), served as they are. */
    auditRecords: z.array(AuditSeed).default([]),
    /** Primary rate limit per token per hour (GitHub: 5,000 for users, ≥5,000 for installations). */
    rateLimitPerHour: z.number().int().positive().default(5000),
  })
  .strict()
  .superRefine((s, ctx) => {
    const repos = new Set(s.repos.map((r) => r.name));
    const logins = new Set(s.principals.map((p) => p.login));
    const installations = new Set(s.installations.map((i) => i.id));
    const apps = new Set(s.apps.map((a) => a.id));
    const clients = new Set([...s.oauthApps.map((a) => a.clientId), ...s.apps.map((a) => a.clientId)]);
    const seen = new Set<string>();
    s.installations.forEach((i, n) => {
      if (!apps.has(i.appId)) ctx.addIssue({ code: 'custom', path: ['installations', n, 'appId'], message: `no app ${i.appId}` });
    });
    s.credentials.forEach((c, n) => {
      // Ids are unique across kinds: audit events name the credential they were performed with by id.
      const key = String(c.id);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['credentials', n, 'id'], message: `duplicate credential id ${key}` });
      seen.add(key);
      if ('owner' in c && !logins.has(c.owner)) ctx.addIssue({ code: 'custom', path: ['credentials', n, 'owner'], message: `no principal ${c.owner}` });
      if (c.kind === 'deploy_key' && !repos.has(c.repo)) ctx.addIssue({ code: 'custom', path: ['credentials', n, 'repo'], message: `no repo ${c.repo}` });
      if (c.kind === 'app_installation_token' && !installations.has(c.installationId))
        ctx.addIssue({ code: 'custom', path: ['credentials', n, 'installationId'], message: `no installation ${c.installationId}` });
      if (c.kind === 'oauth_token' && !clients.has(c.clientId)) ctx.addIssue({ code: 'custom', path: ['credentials', n, 'clientId'], message: `no app with client id ${c.clientId}` });
    });
    s.secrets.forEach((sec, n) => {
      if (!repos.has(sec.repo)) ctx.addIssue({ code: 'custom', path: ['secrets', n, 'repo'], message: `no repo ${sec.repo}` });
    });
  });
export type GitHubScenario = z.infer<typeof GitHubScenario>;
export type GitHubScenarioInput = z.input<typeof GitHubScenario>;

/**
 * A large, deterministic section for the load scenario: `count` credentials spread over the kinds,
 * owned by a pool of members, each with one or two consumers. Values derive from the index, so
 * two calls with the same count give the same section.
 */
export function generateGitHubLoadSection(count: number): GitHubScenarioInput {
  const base = Date.UTC(2025, 0, 1);
  const iso = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const members = Math.max(1, Math.min(500, Math.ceil(count / 10)));
  const repos = Math.max(1, Math.min(200, Math.ceil(count / 25)));
  const principals = Array.from({ length: members }, (_, i) => ({
    login: `load-user-${i}`,
    id: 90_000 + i,
    name: `Load User ${i}`,
    type: i % 10 === 0 ? ('service_account' as const) : ('user' as const),
    status: i % 37 === 0 ? ('offboarded' as const) : ('active' as const),
    orgRole: i === 0 ? ('admin' as const) : ('member' as const),
  }));
  const repoList = Array.from({ length: repos }, (_, i) => ({ id: 700_000 + i, name: `load-repo-${i}`, private: true }));
  const credentials: GitHubScenarioInput['credentials'] = [];
  for (let i = 0; i < count; i++) {
    const owner = principals[i % members]!.login;
    const common = {
      id: 1_000_000 + i,
      createdAt: iso(i),
      lastUsedAt: iso(i + 60 * 24),
      consumers: Array.from({ length: 1 + (i % 2) }, (_, c) => ({ id: `load-consumer-${i}-${c}`, name: `Load consumer ${i}/${c}`, kind: 'pipeline' as const })),
    };
    switch (i % 4) {
      case 0:
        credentials.push({ ...common, kind: 'oauth_token', clientId: 'Iv1.load0000oauthapp', owner, value: `gho_load${pad(i, 32)}`, scopes: ['repo'] });
        break;
      case 1:
        credentials.push({ ...common, kind: 'pat', patType: 'fine_grained', tokenId: 2_000_000 + i, name: `load-fg-${i}`, owner, value: `github_pat_load${pad(i, 40)}` });
        break;
      case 2:
        credentials.push({ ...common, kind: 'pat', patType: 'classic', owner, value: `ghp_load${pad(i, 32)}`, scopes: ['repo', 'read:org'] });
        break;
      default: {
        // A syntactically valid ed25519 public key line: 32 bytes derived from the index.
        const body = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.from(pad(i, 32))]);
        credentials.push({ ...common, kind: 'deploy_key', repo: repoList[i % repos]!.name, title: `load-deploy-${i}`, publicKey: `ssh-ed25519 ${body.toString('base64')}` });
      }
    }
  }
  return {
    org: { login: 'load-org', id: 8_000_001, name: 'Load Org' },
    principals: [...principals, { login: 'cordon-responder[bot]', id: 99_999, name: 'Cordon', type: 'bot', status: 'active', orgRole: 'member' }],
    oauthApps: [{ id: 501, name: 'Load OAuth App', clientId: 'Iv1.load0000oauthapp', clientSecret: 'load-oauth-secret-0001', cordon: true }],
    apps: [{ id: 601, slug: 'cordon-responder', name: 'Cordon Responder', clientId: 'Iv23licordonload0001', cordon: true }],
    installations: [
      {
        id: 6_010_001,
        appId: 601,
        permissions: { administration: 'write', secrets: 'write', organization_administration: 'write', organization_personal_access_tokens: 'write', members: 'read' },
        createdAt: iso(0),
      },
    ],
    repos: repoList,
    credentials,
    secrets: [],
    auditEvents: credentials.slice(0, Math.min(count, 1000)).map((c, i) => ({
      at: iso(i + 120),
      action: 'git.clone',
      actor: 'owner' in c ? c.owner : 'load-user-0',
      credentialId: c.id,
    })),
    rateLimitPerHour: 15_000,
  };
}

// Emulator of the GitHub REST subset Cordon uses (GitHub REST API docs: OAuth authorizations,
// apps, deploy keys, Actions secrets, credential revocation, audit log): OAuth-app token check/reset/delete and grant delete (Basic auth), GitHub App JWT routes,
// installation tokens, org fine-grained PAT grants, SAML credential authorizations, deploy keys,
// Actions secrets (sealed box), unauthenticated /credentials/revoke, the org audit log and
// /rate_limit. State is real: a revoked token answers 401 Bad credentials on every route.
import { Router } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import { addActionsSecretRoutes } from './actions-secrets.ts';
import { addAuditLogRoutes } from './audit-log.ts';
import { addCredentialRevokeRoutes } from './credential-revoke.ts';
import { addDeployKeyRoutes } from './deploy-keys.ts';
import { addInstallationRoutes } from './installations.ts';
import { addOAuthAppRoutes } from './oauth-apps.ts';
import { addPatGrantRoutes } from './pat-grants.ts';
import { addRateLimitRoutes, rateLimitHeaders } from './rate-limit.ts';
import { addSamlRoutes } from './saml.ts';
import type { GitHubCredential, GitHubScenario } from './scenario.ts';
import { AuditSeed, auditHooks } from '../core/audit-log.ts';
import { GitHubState, defaultCredentialLabel, type GitHubCredentialLabel, type GoneOperation, type GoneStatus } from './state.ts';
import { githubErrorShapes } from './wire.ts';

export { defaultCredentialLabel, type GitHubCredentialLabel, type GoneOperation, type GoneStatus } from './state.ts';

export interface GitHubEmulatorOptions {
  credentialLabel?: GitHubCredentialLabel;
}

/** Where and as what a client connects: the API URL, the org, the scenario's own (`cordon`) GitHub App and OAuth app. */
export interface GitHubConnection {
  apiUrl: string;
  org: string;
  app?: { id: number; privateKeyPem: string; installationId: number };
  oauthApp?: { clientId: string; clientSecret: string };
  /** The scenario's credentials, as seeded (consumers included). */
  credentials: readonly GitHubCredential[];
}

export interface GitHubEmulator extends ProviderEmulator<GitHubScenario> {
  /** The clear value last delivered into an Actions secret (decrypted with the repo's key): for tests only. */
  revealSecret(owner: string, repo: string, name: string): string | undefined;
  /** Gives a repository a new Actions public key, with a new key id (as GitHub's key rotation does): for tests. */
  rotateRepoPublicKey(repo: string): void;
  /** PEM private key of an app whose key pair the emulator generated (apps without publicKeyPem). */
  appPrivateKeyPem(appId: number): string | undefined;
  /**
   * How a repeated delete answers once the thing is gone. GitHub documents only 404 for an invalid token
   * (apps/delete-token) and nothing for a deleted deploy key, so tests pick each plausible shape: 404 Not Found
   * (the default), 410 Gone, or 422 whose message says "not found". Reset by load().
   */
  setGoneAnswer(operation: GoneOperation, status: GoneStatus): void;
  /** Undefined until a scenario section is loaded. */
  connection(): GitHubConnection | undefined;
}

/** The routes in the order they are matched: each API's module over the one state. */
function addRoutes(router: Router, state: GitHubState): void {
  addRateLimitRoutes(router, state);
  addOAuthAppRoutes(router, state);
  addInstallationRoutes(router, state);
  addPatGrantRoutes(router, state);
  addSamlRoutes(router, state);
  addAuditLogRoutes(router, state);
  addDeployKeyRoutes(router, state);
  addActionsSecretRoutes(router, state);
  addCredentialRevokeRoutes(router, state);
}

export function createGitHubEmulator(options: GitHubEmulatorOptions = {}): GitHubEmulator {
  const state = new GitHubState(options.credentialLabel ?? defaultCredentialLabel);
  const router = new Router();
  addRoutes(router, state);
  let requestSeq = 0;
  return {
    provider: 'github',
    router,
    errors: githubErrorShapes,
    decorate: (_operation, call) => {
      requestSeq += 1;
      return {
        ...rateLimitHeaders(state, call.credential),
        'x-github-request-id': `CA11:${process.pid.toString(16).toUpperCase()}:${requestSeq.toString(16).toUpperCase().padStart(6, '0')}`,
        'x-github-api-version-selected': '2022-11-28',
      };
    },
    setBaseUrl(url) {
      state.baseUrl = url.replace(/\/$/, '');
    },
    load(input) {
      state.load(input);
    },
    counts: () => state.counts(),
    ...auditHooks('github', AuditSeed, (seeds) => state.addAuditRecords(seeds), (clock) => {
      state.auditClock = clock;
    }),
    connection() {
      if (!state.section) return undefined;
      const app = state.apps.find((a) => a.cordon);
      const installation = app ? [...state.installations.values()].find((i) => i.appId === app.id && !i.deleted) : undefined;
      const oauth = state.oauthApps.find((a) => a.cordon);
      return {
        apiUrl: state.baseUrl,
        org: state.section.org.login,
        ...(app?.privateKeyPem && installation ? { app: { id: app.id, privateKeyPem: app.privateKeyPem, installationId: installation.id } } : {}),
        ...(oauth ? { oauthApp: { clientId: oauth.clientId, clientSecret: oauth.clientSecret } } : {}),
        credentials: state.section.credentials,
      };
    },
    rotateRepoPublicKey(repo) {
      state.rotateRepoKey(repo);
    },
    revealSecret(owner, repo, name) {
      if (owner.toLowerCase() !== state.orgLogin().toLowerCase()) return undefined;
      return state.secrets.get(`${repo}/${name.toUpperCase()}`)?.value;
    },
    appPrivateKeyPem(appId) {
      return state.apps.find((a) => a.id === appId)?.privateKeyPem;
    },
    setGoneAnswer(operation, status) {
      state.goneAnswers.set(operation, status);
    },
  };
}

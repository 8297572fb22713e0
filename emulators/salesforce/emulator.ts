// Emulator of the Salesforce subset Cordon uses: the OAuth token endpoint (JWT bearer + refresh token),
// the revoke endpoint, and REST under /services/data/vXX.X (SOQL query over OauthToken, AuthSession, User,
// UserLogin, ConnectedApplication, LoginHistory, Profile; AuthSession delete, one or up to 200 at once through sObject
// Collections; UserLogin/User update; limits), and the Metadata API's SOAP endpoint for a profile's login IP
// ranges (metadata.ts), which the token endpoint enforces.
// Wire facts: Salesforce REST API (SOQL query, sObject Collections) and OAuth 2.0 JWT bearer and token
// revocation docs (jsforce 3.10.16 talks to it).
import { Router } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import type { Consumer } from '../core/types.ts';
import { metadataSoapHandler } from './metadata.ts';
import { addOAuthRoutes } from './oauth.ts';
import { addRestRoutes } from './rest.ts';
import { SalesforceAuditSeed, type SalesforceLoginIpRange, type SalesforceScenario } from './scenario.ts';
import { auditHooks } from '../core/audit-log.ts';
import { SalesforceState } from './state.ts';
import { MAX_VERSION, MIN_VERSION, salesforceErrors } from './wire.ts';

export { OAUTH_TOKEN_ROW_CAP } from './rest.ts';
export { CLIENT_IP_HEADER, salesforceErrors } from './wire.ts';

export interface SalesforceEmulator extends ProviderEmulator<SalesforceScenario> {
  /** Test and drill helper: the fixture value of a grant (refresh token) or session (access token) by its id. */
  fixtureValue(id: string): string | undefined;
  /** Test helper: the DeleteToken of a grant, as OauthToken shows it. */
  deleteTokenOf(grantKey: string): string | undefined;
  /** Test helper: the login IP ranges of a user's profile now (empty: any address), or undefined for an unknown user. */
  profileLoginIpRanges(userId: string): SalesforceLoginIpRange[] | undefined;
  /**
   * Test and drill helper: the address the emulator sees for calls made as `userId` (or, without a user, for every
   * call), where no x-emulator-client-ip header says otherwise; undefined forgets it. Reset by load().
   */
  setClientAddress(address: string | undefined, userId?: string): void;
  /**
   * Where and as whom a client connects (the login URL, the scenario's own connected app and integration user
   * with the JWT-bearer key generated at load), and every grant the scenario gives consumers; undefined when
   * the scenario names no own identity.
   */
  connection(): SalesforceConnection | undefined;
}

export interface SalesforceConnection {
  loginUrl: string;
  clientId: string;
  username: string;
  privateKeyPem: string;
  apiVersion: string;
  /** Grants with consumers: connected app name, username, CreatedDate. */
  grants: { app: string; user: string; createdDate: string; consumers: Consumer[] }[];
}

/** The routes in the order they are matched: OAuth and identity, REST, then the Metadata API's SOAP endpoint. */
function addRoutes(router: Router, state: SalesforceState): void {
  const { org } = state;
  addOAuthRoutes(router, state);
  addRestRoutes(router, state);
  router
    .add(
      'POST',
      '/services/Soap/m/:version',
      'metadata',
      metadataSoapHandler({
        org,
        versionOk: (v) => v >= MIN_VERSION && v <= MAX_VERSION,
        countApiCall: () => {
          org.apiUsed += 1;
          return org.apiUsed > org.apiLimit ? salesforceErrors.rateLimited(0) : undefined;
        },
      }),
    );
}

export function createSalesforceEmulator(): SalesforceEmulator {
  const state = new SalesforceState();
  const { org } = state;
  const router = new Router();
  addRoutes(router, state);
  return {
    provider: 'salesforce',
    router,
    errors: salesforceErrors,
    // Every REST answer carries the org's API usage; jsforce parses it into conn.limitInfo (jsforce docs; Salesforce REST API docs: limits and errors).
    decorate: (operation): Record<string, string> =>
      operation.startsWith('oauth2.') || operation === 'identity' ? {} : { 'Sforce-Limit-Info': `api-usage=${org.apiUsed}/${org.apiLimit}` },
    setBaseUrl(url) {
      state.baseUrl = url.replace(/\/$/, '');
    },
    load(section) {
      state.load(section);
    },
    counts: () => org.counts(),
    ...auditHooks('salesforce', SalesforceAuditSeed, (seeds) => org.addAuditRecords(seeds), (clock) => {
      org.auditClock = clock;
    }),
    connection() {
      if (!state.loaded || !org.cordon) return undefined;
      const user = org.users.get(org.cordon.userId)!;
      const app = org.apps.get(org.cordon.appId)!;
      return {
        loginUrl: state.baseUrl,
        clientId: app.consumerKey,
        username: user.username,
        privateKeyPem: state.keys().privateKeyPem,
        apiVersion: '62.0',
        grants: [...org.grants.values()]
          .filter((g) => g.consumers.length > 0)
          .map((g) => ({ app: org.apps.get(g.appId)!.name, user: org.users.get(g.userId)!.username, createdDate: g.createdDate, consumers: g.consumers })),
      };
    },
    fixtureValue(id) {
      return org.grants.get(id)?.refreshToken ?? org.sessions.get(id)?.accessToken;
    },
    deleteTokenOf(grantKey) {
      return org.grants.get(grantKey)?.deleteToken;
    },
    profileLoginIpRanges(userId) {
      const user = org.users.get(userId);
      return user ? (org.profiles.get(user.profile)?.loginIpRanges ?? []).map((r) => ({ ...r })) : undefined;
    },
    setClientAddress(address, userId) {
      if (userId) {
        if (address) state.clientAddresses.set(userId, address);
        else state.clientAddresses.delete(userId);
      } else state.globalClientAddress = address;
    },
  };
}

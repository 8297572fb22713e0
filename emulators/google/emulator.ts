// Emulator of the Google API subset Cordon uses, on ONE origin: Admin SDK Directory
// (/admin/directory/v1), Reports (/admin/reports/v1), Cloud IAM (/v1/projects/…) and the OAuth
// endpoints (/token, /revoke), and Policy Analyzer's key last-authentication activities. The real googleapis and google-auth-library clients talk to it
// unchanged once rootUrl and the token URL point here (googleapis and google-auth-library docs).
import { AuditSeed, auditHooks } from '../core/audit-log.ts';
import { Router } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import { addDirectoryRoutes } from './directory.ts';
import { addIamRoutes } from './iam.ts';
import { addOAuthRoutes } from './oauth.ts';
import { addPolicyAnalyzerRoutes } from './policy-analyzer.ts';
import type { GoogleScenario } from './scenario.ts';
import { GoogleState } from './state.ts';
import { googleErrorShapes } from './wire.ts';

export interface GoogleEmulator extends ProviderEmulator<GoogleScenario> {
  /**
   * The JSON key file of a seeded key (as keys.create would have returned it), for tests that
   * play the attacker holding a leaked key. Generates the key pair on first use.
   */
  keyFile(keyName: string): Record<string, string>;
  /** Live state, read-only by convention: tests assert what a call changed. */
  readonly state: GoogleState;
  /**
   * Where and as whom a client connects: the API root, the OAuth token URL and the key file of the
   * scenario's own (`cordonOwn`) key with the admin it impersonates; undefined when the scenario has none.
   */
  connection(): GoogleConnection | undefined;
}

export interface GoogleConnection {
  rootUrl: string;
  tokenUrl: string;
  keyFile: Record<string, string>;
  subject: string;
  customerId: string;
  projects: string[];
}

export function createGoogleEmulator(): GoogleEmulator {
  const state = new GoogleState();
  const router = new Router();
  addOAuthRoutes(router, state);
  addDirectoryRoutes(router, state);
  addIamRoutes(router, state);
  addPolicyAnalyzerRoutes(router, state);
  let baseUrl = '';
  return {
    provider: 'google',
    router,
    errors: googleErrorShapes,
    state,
    setBaseUrl(url) {
      baseUrl = url.replace(/\/$/, '');
    },
    load(section) {
      state.load(section);
      // Cordon's own key must sign from the first call: materialise it now, not lazily.
      for (const key of state.keys.values()) if (key.cordonOwn) state.materialOf(key);
    },
    counts: () => state.counts(),
    ...auditHooks('google', AuditSeed, (seeds) => state.addAuditRecords(seeds), (clock) => {
      state.auditClock = clock;
    }),
    keyFile: (name) => state.keyFileOf(name),
    connection() {
      const own = [...state.keys.entries()].find(([, k]) => k.cordonOwn);
      if (!own || !state.cordonSubject) return undefined;
      return {
        rootUrl: `${baseUrl}/`,
        tokenUrl: `${baseUrl}/token`,
        keyFile: state.keyFileOf(own[0]),
        subject: state.cordonSubject,
        customerId: state.customer.id,
        projects: [...state.projects.keys()],
      };
    },
  };
}

// Emulator of the Google API subset Cordon uses, on ONE origin: Admin SDK Directory
// (/admin/directory/v1), Reports (/admin/reports/v1), Cloud IAM (/v1/projects/…) and the OAuth
// endpoints (/token, /revoke). The real googleapis and google-auth-library clients talk to it
// unchanged once rootUrl and the token URL point here (googleapis and google-auth-library docs).
import { credentialIds } from '../../connectors/google/ids.ts';
import type { Consumer } from '../../schemas/credential.ts';
import { Router } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import { addDirectoryRoutes } from './directory.ts';
import { addIamRoutes } from './iam.ts';
import { addOAuthRoutes } from './oauth.ts';
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
}

export function createGoogleEmulator(): GoogleEmulator {
  const state = new GoogleState();
  const router = new Router();
  addOAuthRoutes(router, state);
  addDirectoryRoutes(router, state);
  addIamRoutes(router, state);
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
    keyFile: (name) => state.keyFileOf(name),
    connectorEnv(): Record<string, string> {
      const own = [...state.keys.entries()].find(([, k]) => k.cordonOwn);
      if (!own || !state.cordonSubject) return {};
      return {
        CORDON_GOOGLE_ROOT_URL: `${baseUrl}/`,
        CORDON_GOOGLE_TOKEN_URL: `${baseUrl}/token`,
        CORDON_GOOGLE_CREDENTIALS_JSON: JSON.stringify(state.keyFileOf(own[0])),
        CORDON_GOOGLE_SUBJECT: state.cordonSubject,
        CORDON_GOOGLE_CUSTOMER_ID: state.customer.id,
        CORDON_GOOGLE_PROJECTS: [...state.projects.keys()].join(','),
        CORDON_GOOGLE_INVENTORY_JSON: JSON.stringify(inventoryOf(state)),
      };
    },
  };
}

/**
 * Who consumes what, keyed by the connector's credential ids: the inventory (CMDB) a real
 * deployment would configure, since Google's APIs do not know it.
 */
function inventoryOf(state: GoogleState): Record<string, Consumer[]> {
  const inventory: Record<string, Consumer[]> = {};
  const add = (id: string, consumers: Consumer[]) => {
    if (consumers.length === 0) return;
    const known = inventory[id] ?? [];
    for (const c of consumers) if (!known.some((k) => k.id === c.id)) known.push(c);
    inventory[id] = known;
  };
  for (const g of state.grants) add(credentialIds.grant(g.userKey, g.clientId), g.consumers);
  for (const a of state.asps) add(credentialIds.asp(a.userKey, a.codeId), a.consumers);
  for (const s of state.sessions) add(credentialIds.sessions(s.userKey), s.consumers);
  for (const [name, k] of state.keys) add(name, k.consumers);
  return inventory;
}

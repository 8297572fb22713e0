// What one Salesforce scenario section seeds (the org: users, profiles, connected apps, grants,
// sessions, login history; org.ts), plus what the endpoints keep between calls: open query cursors,
// the address each caller is seen from, and the JWT-bearer key pair of the scenario's own connected
// app. Route modules read and change it; load() replaces it.
import { generateKeyPairSync } from 'node:crypto';
import type { EmuRequest } from '../core/http.ts';
import { Org } from './org.ts';
import type { SalesforceScenario } from './scenario.ts';
import { CLIENT_IP_HEADER } from './wire.ts';

export class SalesforceState {
  readonly org = new Org();
  baseUrl = 'http://127.0.0.1';
  loaded: SalesforceScenario | undefined;
  // The scenario's own JWT-bearer key pair: generated here so no private key sits in a scenario file; the
  // public half is registered as the certificate of the scenario's own (Cordon) connected app.
  #ownKeys: { privateKeyPem: string; publicKeyPem: string } | undefined;
  /** Rows a query left for queryMore, by locator. */
  readonly cursors = new Map<string, Record<string, unknown>[]>();
  cursorSeq = 0;
  /** setClientAddress(): the address calls made as a user (or, globally, every call) come from. */
  readonly clientAddresses = new Map<string, string>();
  globalClientAddress: string | undefined;

  keys() {
    if (!this.#ownKeys) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.#ownKeys = {
        privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
    }
    return this.#ownKeys;
  }

  /** The caller's address: the x-emulator-client-ip header, else setClientAddress(), else X-Forwarded-For, else 127.0.0.1. */
  sourceIp(req: EmuRequest, userId?: string): string {
    const header = req.headers[CLIENT_IP_HEADER] ?? (userId ? this.clientAddresses.get(userId) : undefined) ?? this.globalClientAddress ?? req.headers['x-forwarded-for'] ?? '127.0.0.1';
    return String(header).split(',')[0]!.trim();
  }

  load(section: SalesforceScenario | undefined): void {
    this.org.clear();
    this.cursors.clear();
    this.clientAddresses.clear();
    this.globalClientAddress = undefined;
    this.loaded = section;
    if (section) this.org.load(section, this.keys().publicKeyPem);
  }
}

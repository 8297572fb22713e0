// The local tenant's consumers at work: each consumer of a Google service-account key signs in with the key it
// holds (a JWT-bearer token exchange at the emulator's /token, as google-auth-library does), so the key's last
// authentication moves in the same record the connector reads (Policy Analyzer). A consumer that switches picks
// up the replacement Cordon delivered to it in the local credential store and signs in with that instead; one
// that does not keeps using the old key, and fails once it is deleted. This is how rotations are exercised.
import { createSign } from 'node:crypto';
import type { LocalEncryptedStore } from '../connectors/sinks/local-store.ts';
import type { LocalTenant } from './tenant.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';

export interface ConsumerUse {
  consumerId: string;
  /** The seeded key the consumer was given. */
  keyName: string;
  /** Which key it signed in with: the seeded one or the replacement delivered to it. */
  used: 'old' | 'replacement';
  /** The replacement's key name, when it used one. */
  replacementId?: string;
  ok: boolean;
  error?: string;
}

/**
 * One round of use: every consumer of every seeded key in `keys` (all keys with consumers when omitted) signs in
 * once. `switches(consumerId)` says whether that consumer has picked up its replacement, when one was delivered.
 */
export async function useGoogleKeys(
  tenant: LocalTenant,
  options: { store: LocalEncryptedStore; switches: (consumerId: string) => boolean; keys?: readonly string[] },
): Promise<ConsumerUse[]> {
  const google = tenant.emulators.google;
  const deliveries = await options.store.deliveries();
  const seeded = options.keys ?? [...google.state.keys.entries()].filter(([, k]) => k.consumers.length && !k.cordonOwn).map(([name]) => name);
  const out: ConsumerUse[] = [];
  for (const keyName of seeded) {
    const key = google.state.keys.get(keyName);
    // A deleted key's consumers are remembered by the caller's list; its file is gone with it.
    const consumers = key?.consumers ?? [];
    for (const consumer of consumers) {
      // The newest delivery to this consumer for this key: idempotency keys are (workflow id, credential, consumer).
      const delivered = deliveries.filter((d) => d.consumerId === consumer.id && d.idempotencyKey.endsWith(`|google:${keyName}|${consumer.id}`)).at(-1);
      if (delivered && options.switches(consumer.id)) {
        const value = await options.store.open(delivered.idempotencyKey);
        const result = await signInWithKeyFile(tenant.urls.google, JSON.parse(value!.reveal()) as KeyFile);
        out.push({ consumerId: consumer.id, keyName, used: 'replacement', replacementId: delivered.replacementId, ...result });
      } else {
        const result = key ? await signInWithKeyFile(tenant.urls.google, google.keyFile(keyName) as unknown as KeyFile) : { ok: false, error: 'the key is deleted' };
        out.push({ consumerId: consumer.id, keyName, used: 'old', ...result });
      }
    }
  }
  return out;
}

export interface KeyFile {
  client_email: string;
  private_key: string;
  private_key_id: string;
}

/** The JWT-bearer exchange (RFC 7523) a service-account client makes: a token, or the emulator's refusal. */
export async function signInWithKeyFile(baseUrl: string, keyFile: KeyFile): Promise<{ ok: boolean; error?: string }> {
  const iat = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${enc({ alg: 'RS256', typ: 'JWT', kid: keyFile.private_key_id })}.${enc({ iss: keyFile.client_email, scope: 'https://www.googleapis.com/auth/cloud-platform', aud: TOKEN_AUDIENCE, iat, exp: iat + 3600 })}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(keyFile.private_key).toString('base64url');
  const res = await fetch(`${baseUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: `${unsigned}.${signature}` }).toString(),
  });
  if (res.ok) return { ok: true };
  const body = (await res.json().catch(() => ({}))) as { error_description?: string };
  return { ok: false, error: body.error_description ?? `HTTP ${res.status}` };
}

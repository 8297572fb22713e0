// Signing and checking the envelopes of schemas/envelope.ts (docs/trust-model.md).
//
// HMAC-SHA-256 over envelopeSigningText, with a keyring like the codec's (key ids, so keys rotate):
// the signers (Slack app, API, CLI) and the one verifier (the worker) are parts of one deployment that
// already share the codec keys, so a public-key scheme would not narrow who can forge; HMAC keeps the
// check to one hash and the key to one variable, CORDON_ENVELOPE_KEYS.
//
// The worker checks signatures in its payload codec (EnvelopeCheckCodec), on the worker's main thread
// where node:crypto and the key are, before the workflow sees the payload. The check is a pure function
// of the payload's bytes and the keyring, so a replay reaches the same verdict as long as the worker
// keeps the key (as it must keep codec keys). The verdict travels in payload metadata the codec sets
// and always strips from what arrives, so no client can supply one.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import { ENVELOPE_VERDICT_METADATA } from './envelope-verdict.ts';
import { ENVELOPE_VERSION, envelopeSigningText, type EnvelopeAction, type EnvelopeVerdict, type Identity } from '../schemas/envelope.ts';

export { ENVELOPE_VERDICT_METADATA };

export interface EnvelopeKeys {
  /** The key new envelopes are signed with. */
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}


const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * CORDON_ENVELOPE_KEYS = "id1:<base64 32 bytes>[,id2:…]"; the first signs. Undefined when unset: the
 * ways in then send unsigned messages, which count as unauthenticated Temporal-direct calls.
 */
export function envelopeKeysFromEnv(env: NodeJS.ProcessEnv): EnvelopeKeys | undefined {
  const raw = env.CORDON_ENVELOPE_KEYS?.trim();
  if (!raw) return undefined;
  const keys = new Map<string, Buffer>();
  for (const entry of raw.split(',')) {
    const i = entry.indexOf(':');
    const id = entry.slice(0, i).trim();
    const key = Buffer.from(entry.slice(i + 1).trim(), 'base64');
    if (i <= 0 || !KEY_ID.test(id)) throw new Error('CORDON_ENVELOPE_KEYS: each entry is <key id>:<base64 key>, ids are letters, digits, . _ -');
    if (key.length !== 32) throw new Error(`CORDON_ENVELOPE_KEYS: key ${id} decodes to ${key.length} bytes; it must be 32`);
    keys.set(id, key);
  }
  return { activeKeyId: [...keys.keys()][0]!, keys };
}

export function newEnvelopeKeyEntry(id = `e${Date.now().toString(36)}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** The keyring as CORDON_ENVELOPE_KEYS spells it (for child processes). */
export function envelopeKeysEntry(keys: EnvelopeKeys): string {
  return [...keys.keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');
}

/** What a way in vouches for: its keyring and the identity it authenticated. */
export interface Vouch {
  keys: EnvelopeKeys;
  identity: Identity;
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** The message with a signed envelope for `action` on `workflowId`, issued now, with a fresh nonce. */
export function signEnvelope<T extends object>(message: T, vouch: Vouch, target: { workflowId: string; action: EnvelopeAction }, now = new Date()): T & { envelope: Record<string, unknown> } {
  const key = vouch.keys.keys.get(vouch.keys.activeKeyId);
  if (!key) throw new Error(`envelope keys: the active key id ${vouch.keys.activeKeyId} has no key`);
  const envelope = {
    v: ENVELOPE_VERSION,
    keyId: vouch.keys.activeKeyId,
    identity: vouch.identity,
    workflowId: target.workflowId,
    action: target.action,
    nonce: randomBytes(18).toString('base64url'),
    issuedAt: now.toISOString(),
  };
  const unsigned = { ...message, envelope } as T & { envelope: Record<string, unknown> };
  return { ...unsigned, envelope: { ...envelope, signature: hmac(key, envelopeSigningText(unsigned)).toString('base64url') } };
}

/**
 * Whether a decoded message's envelope signature is valid under `keys`. Checks only the signature and
 * the key id: expiry, nonce, workflow id and action are the workflow's to check (schemas/envelope.ts).
 */
export function verifyEnvelopeSignature(message: unknown, keys: EnvelopeKeys | undefined): EnvelopeVerdict {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return { valid: false, reason: 'the message is not an object' };
  const envelope = (message as { envelope?: unknown }).envelope;
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return { valid: false, reason: 'the envelope is not an object' };
  const { keyId, signature } = envelope as { keyId?: unknown; signature?: unknown };
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) return { valid: false, reason: 'the envelope names no valid key id' };
  if (typeof signature !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return { valid: false, reason: 'the envelope has no well-formed signature' };
  if (!keys) return { valid: false, reason: 'this worker has no envelope keys (CORDON_ENVELOPE_KEYS is unset)' };
  const key = keys.keys.get(keyId);
  if (!key) return { valid: false, reason: `this worker has no envelope key with id ${keyId}` };
  let text: string;
  try {
    text = envelopeSigningText(message as Record<string, unknown> & { envelope: Record<string, unknown> });
  } catch {
    return { valid: false, reason: 'the message cannot be put in canonical form' };
  }
  const ok = timingSafeEqual(hmac(key, text), Buffer.from(signature, 'base64url'));
  return ok ? { valid: true, keyId } : { valid: false, reason: 'the envelope signature does not match (tampered, or signed with another key)' };
}

const JSON_ENCODING = 'json/plain';
/** Only bytes that name an `envelope` key are parsed (an empty payload's `data` may not even be a Uint8Array). */
const mentionsEnvelope = (data: unknown): data is Uint8Array => data instanceof Uint8Array && Buffer.from(data.buffer, data.byteOffset, data.byteLength).includes('"envelope"');

/**
 * The worker's envelope check, the last codec to decode (after decryption). Every payload it hands on
 * loses any ENVELOPE_VERDICT_METADATA it arrived with; a JSON object in a workflow's context that
 * carries an `envelope` gets the verdict on its signature. Encoding is unchanged.
 */
export class EnvelopeCheckCodec implements PayloadCodec {
  constructor(private readonly keys: EnvelopeKeys | undefined) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return payloads.map((payload) => {
      const { [ENVELOPE_VERDICT_METADATA]: forged, ...metadata } = payload.metadata ?? {};
      // A decrypted payload is a protobuf message whose unset fields (an empty `data`) live on its
      // prototype, which a spread would drop: copy only to remove a verdict, and carry `data` over.
      const clean: Payload = forged ? { metadata, data: payload.data ?? new Uint8Array(0) } : payload;
      if (context?.type !== 'workflow' || !mentionsEnvelope(payload.data)) return clean;
      if (new TextDecoder().decode(metadata[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== JSON_ENCODING) return clean;
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder().decode(payload.data));
      } catch {
        return clean; // the payload converter reports it as undecodable
      }
      if (typeof value !== 'object' || value === null || !('envelope' in value)) return clean;
      const verdict = verifyEnvelopeSignature(value, this.keys);
      return { metadata: { ...metadata, [ENVELOPE_VERDICT_METADATA]: new TextEncoder().encode(JSON.stringify(verdict)) }, data: payload.data };
    });
  }
}

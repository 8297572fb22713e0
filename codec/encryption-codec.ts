// Payload codec: AES-256-GCM with a key id in each payload's metadata, so keys can rotate — new
// payloads use the active key, old ones decrypt with whichever key id they name (design.md I5).
// Wired into every Client and Worker Cordon creates; history then holds only ciphertext.
import { fileURLToPath } from 'node:url';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, type SerializationContext, ValueError } from '@temporalio/common';
// A CommonJS package: its named exports are not visible to Node's ESM loader, the default is.
import proto from '@temporalio/proto';
import { UNDECODABLE_ENCODING } from './payload-converter.ts';
import { EnvelopeCheckCodec, type EnvelopeKeys } from './decision-envelope.ts';

const { temporal } = proto;

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKeys {
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export class EncryptionCodec implements PayloadCodec {
  /**
   * `tolerant` (the worker's codec): a workflow's own message payload that cannot be decrypted is
   * handed on as an UNDECODABLE_ENCODING payload naming why, so the message is refused by its
   * handler instead of failing every workflow task of the run. Clients keep failing loudly.
   */
  constructor(
    private readonly keyring: CodecKeys,
    private readonly options: { tolerant?: boolean } = {},
  ) {
    if (!keyring.keys.has(keyring.activeKeyId)) throw new Error(`codec: active key id ${keyring.activeKeyId} has no key`);
    for (const [id, key] of keyring.keys) if (key.length !== 32) throw new Error(`codec: key ${id} is ${key.length} bytes; AES-256 needs 32`);
    for (const [id, key] of keyring.keys) this.#secrets.set(id, createSecretKey(key));
  }

  /**
   * The keys as KeyObjects, made once: given a Buffer, every cipher imports the key again, which took about
   * 3 % of a worker's CPU in a mass containment (a cipher with a KeyObject is about 2.5 times cheaper).
   */
  readonly #secrets = new Map<string, KeyObject>();

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.activeKeyId;
    const key = this.#secrets.get(keyId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: new TextEncoder().encode(ENCODING),
          [KEY_ID]: new TextEncoder().encode(keyId),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!this.options.tolerant || context?.type !== 'workflow') return this.decodeOne(payload);
      try {
        return this.decodeOne(payload);
      } catch (err) {
        const reason = err instanceof ValueError ? err.message : 'the encrypted payload could not be decrypted (wrong key or altered bytes)';
        return { metadata: { [METADATA_ENCODING_KEY]: new TextEncoder().encode(UNDECODABLE_ENCODING) }, data: new TextEncoder().encode(reason) };
      }
    });
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || new TextDecoder().decode(encoding) !== ENCODING) return payload;
    const keyIdBytes = payload.metadata?.[KEY_ID];
    if (!keyIdBytes) throw new ValueError('encrypted payload without a key id');
    const keyId = new TextDecoder().decode(keyIdBytes);
    const key = this.#secrets.get(keyId);
    if (!key) throw new ValueError(`no codec key with id ${keyId.slice(0, 64)}: add it to CORDON_CODEC_KEYS to read this history`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return temporal.api.common.v1.Payload.decode(plain) as Payload;
  }
}

/**
 * Keys from the environment: CORDON_CODEC_KEYS = "id1:<base64 32 bytes>,id2:<…>", and
 * CORDON_CODEC_ACTIVE_KEY = the id new payloads use (default: the first). Outside dev mode a
 * missing key is an error; Cordon never runs unencrypted by accident.
 */
export function codecKeysFromEnv(env: NodeJS.ProcessEnv): CodecKeys {
  const raw = env.CORDON_CODEC_KEYS?.trim();
  if (!raw) {
    throw new Error(
      'CORDON_CODEC_KEYS is not set: Cordon refuses to start without a payload encryption key. ' +
        'Generate one with `npx tsx cli/cordon.ts keygen` and set CORDON_CODEC_KEYS="k1:<base64>" ' +
        '(npm run dev and npm run demo create a local dev key for you).',
    );
  }
  const keys = new Map<string, Buffer>();
  for (const entry of raw.split(',')) {
    const i = entry.indexOf(':');
    const id = entry.slice(0, i).trim();
    const key = Buffer.from(entry.slice(i + 1).trim(), 'base64');
    if (i <= 0 || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error('CORDON_CODEC_KEYS: each entry is <key id>:<base64 key>, ids are letters, digits, . _ -');
    if (key.length !== 32) throw new Error(`CORDON_CODEC_KEYS: key ${id} decodes to ${key.length} bytes; it must be 32 (AES-256)`);
    keys.set(id, key);
  }
  const activeKeyId = env.CORDON_CODEC_ACTIVE_KEY?.trim() || [...keys.keys()][0]!;
  if (!keys.has(activeKeyId)) throw new Error(`CORDON_CODEC_ACTIVE_KEY=${activeKeyId} names no key in CORDON_CODEC_KEYS`);
  return { activeKeyId, keys };
}

export function newCodecKeyEntry(id = `k${Date.now().toString(36)}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** Path of the failure converter module (codec/failure-converter.ts), for data converters and bundles. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

/** Path of the worker's payload converter (codec/payload-converter.ts), for the worker and workflow bundles. */
export const PAYLOAD_CONVERTER_PATH = fileURLToPath(new URL('./payload-converter.ts', import.meta.url));

/** What a workflow bundle needs besides the workflows: the converters the worker's data converter names. */
export const BUNDLE_CONVERTER_PATHS = { failureConverterPath: FAILURE_CONVERTER_PATH, payloadConverterPath: PAYLOAD_CONVERTER_PATH };

/**
 * The data converter every Cordon client and worker uses: encrypted payloads and failure texts. The
 * worker's (`{ worker: true }`) also checks decision envelopes with `envelopeKeys`, and turns a workflow message it cannot decode into a refusal instead of
 * a stuck run (schemas/undecodable.ts); a client keeps failing loudly on what it cannot read.
 */
export function cordonDataConverter(
  keys: CodecKeys,
  options: { worker?: boolean; envelopeKeys?: EnvelopeKeys | undefined } = {},
): { payloadCodecs: PayloadCodec[]; failureConverterPath: string; payloadConverterPath?: string } {
  if (!options.worker) return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
  // Decoded last to first: decrypted, then the envelope checked (docs/trust-model.md). Every worker
  // has the envelope check, keys or not, so a verdict can only come from it.
  return { payloadCodecs: [new EnvelopeCheckCodec(options.envelopeKeys), new EncryptionCodec(keys, { tolerant: true })], ...BUNDLE_CONVERTER_PATHS };
}

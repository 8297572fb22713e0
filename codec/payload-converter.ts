// The worker's payload converter: the SDK's default, except that a payload in a workflow's context
// (its input, signals, updates, queries; Temporal gives a child's result that context too) that cannot
// be converted becomes the marker of schemas/undecodable.ts instead of an exception, so a malformed
// message is refused by its handler rather than failing every workflow task of the run. A child's
// result is Cordon's own, encoded by the same worker with the same keys, so it is undecodable only if
// the keys were removed under a running mass containment; the parent then counts that child as not
// contained. Activity results are not softened: a value the workflow cannot read must stop it.
// Loaded by path (payloadConverterPath) into the workflow bundle and the worker.
import {
  defaultPayloadConverter,
  METADATA_ENCODING_KEY,
  type Payload,
  type PayloadConverter,
  type SerializationContext,
} from '@temporalio/common';
import { undecodable } from '../schemas/undecodable.ts';
import { ENVELOPE_VERDICT, type EnvelopeVerdict } from '../schemas/envelope.ts';
import { ENVELOPE_VERDICT_METADATA } from './envelope-verdict.ts';

/** The encoding the worker's codec gives a payload it could not decrypt; data is the reason (UTF-8). */
export const UNDECODABLE_ENCODING = 'binary/cordon-undecodable';

class TolerantPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T, context?: SerializationContext): Payload {
    return defaultPayloadConverter.toPayload(value, context);
  }

  fromPayload<T>(payload: Payload, context?: SerializationContext): T {
    const encoding = textOf(payload.metadata?.[METADATA_ENCODING_KEY]);
    if (encoding === UNDECODABLE_ENCODING) return undecodable(textOf(payload.data) || 'the payload could not be decrypted') as T;
    try {
      return withVerdict(defaultPayloadConverter.fromPayload<T>(payload, context), payload);
    } catch (err) {
      if (context?.type !== 'workflow') throw err;
      return undecodable(whyNot(encoding, err)) as T;
    }
  }
}

/**
 * A message's envelope verdict, set by the worker's EnvelopeCheckCodec (codec/decision-envelope.ts) in
 * metadata no client can supply, attached under a Symbol no JSON can carry (schemas/envelope.ts).
 */
function withVerdict<T>(value: T, payload: Payload): T {
  const raw = textOf(payload.metadata?.[ENVELOPE_VERDICT_METADATA]);
  if (raw === undefined || typeof value !== 'object' || value === null) return value;
  let verdict: EnvelopeVerdict;
  try {
    const v = JSON.parse(raw) as { valid?: unknown; keyId?: unknown; reason?: unknown };
    verdict = v.valid === true && typeof v.keyId === 'string' ? { valid: true, keyId: v.keyId } : { valid: false, reason: typeof v.reason === 'string' ? v.reason : 'unreadable verdict' };
  } catch {
    verdict = { valid: false, reason: 'unreadable verdict' };
  }
  Object.defineProperty(value, ENVELOPE_VERDICT, { value: verdict, enumerable: false });
  return value;
}

/** A reason that names the failure and never quotes the payload (JSON.parse's message does). */
function whyNot(encoding: string | undefined, err: unknown): string {
  if (encoding === undefined) return 'the payload has no encoding';
  const shown = encoding.slice(0, 40);
  if (encoding === 'json/plain') return 'the payload is not valid JSON';
  const name = err instanceof Error ? err.name : 'Error';
  return `no converter reads encoding "${shown}" (${name})`;
}

function textOf(bytes: Uint8Array | null | undefined): string | undefined {
  if (!bytes) return undefined;
  // Encodings and the codec's reasons are ASCII; any other byte is shown as a question mark.
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?';
  return out;
}

export const payloadConverter: PayloadConverter = new TolerantPayloadConverter();

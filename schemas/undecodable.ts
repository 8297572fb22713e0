// What workflow code receives in place of a message payload the worker could not decode: bytes that
// are not JSON, an encoding no converter knows, or an encrypted payload under a key this worker lacks.
// Anyone with access to the namespace can send such a payload with the raw gRPC API; decoding it
// would throw before any handler runs and fail every workflow task of the run (the run is stuck). The
// worker's converters (codec/payload-converter.ts) hand over this marker instead, and the handlers
// refuse it like any other malformed input. The reason names the failure, never the payload's bytes.
export const UNDECODABLE_KEY = '__cordonUndecodable';

export type Undecodable = { readonly [UNDECODABLE_KEY]: string };

const MAX_REASON = 200;

export function undecodable(reason: string): Undecodable {
  return { [UNDECODABLE_KEY]: reason.slice(0, MAX_REASON) };
}

/** Why a value is an undecodable payload's marker, or undefined when it is an ordinary value. */
export function undecodableReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, UNDECODABLE_KEY)) return undefined;
  const reason = (value as Record<string, unknown>)[UNDECODABLE_KEY];
  return typeof reason === 'string' ? reason.slice(0, MAX_REASON) : 'undecodable payload';
}

// The payload metadata key by which the worker's EnvelopeCheckCodec (codec/decision-envelope.ts) hands
// its verdict to the payload converter (codec/payload-converter.ts). Its own module: the payload
// converter is bundled into the workflow sandbox and must not import node:crypto.
export const ENVELOPE_VERDICT_METADATA = 'cordon-envelope-verdict';

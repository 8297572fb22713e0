// The codec key (and the envelope key) the committed replay histories were recorded with. Test-only: the histories hold
// nothing but the reference tenant's made-up values, and this key protects nothing else.
import type { CodecKeys } from '../../codec/encryption-codec.ts';
import type { EnvelopeKeys } from '../../codec/decision-envelope.ts';

export const REPLAY_CODEC_KEYS: CodecKeys = {
  activeKeyId: 'replay-fixture',
  keys: new Map([['replay-fixture', Buffer.from('Y29yZG9uLXJlcGxheS1maXh0dXJlLWtleS0zMmJ5dGU=', 'base64')]]),
};

/** Signed the envelopes of `staged-authenticated`: a worker replays their verdicts only with it. */
export const REPLAY_ENVELOPE_KEYS: EnvelopeKeys = {
  activeKeyId: 'replay-envelope',
  keys: new Map([['replay-envelope', Buffer.from('cordon-replay-envelope-key-32byt', 'utf8')]]),
};

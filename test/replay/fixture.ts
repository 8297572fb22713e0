// The codec key the committed replay histories were recorded with. Test-only: the histories hold
// nothing but the reference tenant's made-up values, and this key protects nothing else.
import type { CodecKeys } from '../../codec/encryption-codec.ts';

export const REPLAY_CODEC_KEYS: CodecKeys = {
  activeKeyId: 'replay-fixture',
  keys: new Map([['replay-fixture', Buffer.from('Y29yZG9uLXJlcGxheS1maXh0dXJlLWtleS0zMmJ5dGU=', 'base64')]]),
};

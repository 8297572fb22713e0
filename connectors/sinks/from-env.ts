// The credential sink a worker delivers replacements to. Default: the encrypted local store in
// CORDON_SINK_DIR (default .cordon/credentials) under CORDON_SINK_KEY (base64, 32 bytes).
import { join } from 'node:path';
import { LocalEncryptedStore } from './local-store.ts';
import type { CredentialSink } from './types.ts';

export function sinkFromEnv(env: NodeJS.ProcessEnv = process.env): CredentialSink {
  const raw = env.CORDON_SINK_KEY;
  if (!raw) throw new Error('CORDON_SINK_KEY is not set: the encrypted credential store needs a 32-byte key (base64); npm run dev and npm run demo create one for you');
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new Error(`CORDON_SINK_KEY decodes to ${key.length} bytes; it must be 32`);
  return new LocalEncryptedStore(env.CORDON_SINK_DIR ?? join(process.cwd(), '.cordon', 'credentials'), key);
}

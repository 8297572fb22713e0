// Sealing a run's evidence: the worker signs the chain's final digest with Ed25519 under
// CORDON_EVIDENCE_SIGNING_KEY (a 32-byte seed, base64). Only the signature and the public key reach
// history; the key stays in the worker. Anyone with the public key checks a pack away from Cordon
// (`cordon evidence verify`, or any Ed25519 implementation over `cordon-evidence-v1:<digest>`).
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readEnv } from '../schemas/config.ts';
import { evidenceKeyId } from '../schemas/evidence-chain.ts';
import { EVIDENCE_SIGNATURE_ALGORITHM, evidenceSigningMessage, type EvidenceSeal } from '../schemas/evidence.ts';

/** PKCS#8 DER of an Ed25519 private key is this fixed prefix followed by the 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface EvidenceSigner {
  /** base64url of the raw 32-byte public key. */
  readonly publicKey: string;
  readonly keyId: string;
  sign(digest: string): string;
}

/** A signer from a 32-byte seed; throws, naming the variable, on a key of the wrong size. */
export function evidenceSignerFromSeed(seed: Buffer, variable = 'CORDON_EVIDENCE_SIGNING_KEY'): EvidenceSigner {
  if (seed.length !== 32) throw new Error(`${variable} decodes to ${seed.length} bytes; an Ed25519 signing key is a 32-byte seed (base64)`);
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const publicKey = String(jwk.x);
  return {
    publicKey,
    keyId: evidenceKeyId(publicKey),
    sign: (digest) => sign(null, Buffer.from(evidenceSigningMessage(digest), 'utf8'), key).toString('base64url'),
  };
}

/** The worker's signer from CORDON_EVIDENCE_SIGNING_KEY, or undefined when it is not set (runs end unsigned). */
export function evidenceSignerFromEnv(env: Record<string, string | undefined> = process.env): EvidenceSigner | undefined {
  const raw = readEnv(env, 'CORDON_EVIDENCE_SIGNING_KEY');
  return raw ? evidenceSignerFromSeed(Buffer.from(raw, 'base64')) : undefined;
}

/** The seal of a run's final digest: signed when the worker holds a key, otherwise unsigned with the reason. */
export function sealDigest(signer: EvidenceSigner | undefined, digest: string): EvidenceSeal {
  if (!signer) return { signed: false, digest, reason: 'the worker has no evidence signing key (CORDON_EVIDENCE_SIGNING_KEY is not set)' };
  return { signed: true, algorithm: EVIDENCE_SIGNATURE_ALGORITHM, digest, signature: signer.sign(digest), publicKey: signer.publicKey, keyId: signer.keyId };
}

// The short, non-reversible name of a secret that evidence and history may carry (design.md I5).
import { createHash } from 'node:crypto';

export const FINGERPRINT_HEX = 12;

export function fingerprintOf(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, FINGERPRINT_HEX);
}

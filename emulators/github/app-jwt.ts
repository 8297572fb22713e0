// Verification of the JWT a GitHub App signs to call /app/* (RS256, iss = app id or client id,
// exp at most 10 minutes after iat). Source: https://docs.github.com/apps/creating-github-apps/
// authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export interface RegisteredApp {
  id: number;
  clientId: string;
  publicKey: KeyObject;
}

export type JwtCheck<A> = { ok: true; app: A } | { ok: false; message: string };

/** Three base64url segments: what Octokit sends as `bearer <jwt>` for an app. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function verifyAppJwt<A extends RegisteredApp>(token: string, apps: readonly A[], nowSec = Math.floor(Date.now() / 1000)): JwtCheck<A> {
  // GitHub's own 401 messages for malformed, foreign and badly timed app JWTs.
  const undecodable = { ok: false, message: 'A JSON web token could not be decoded' } as const;
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return undecodable;
  const header = decodeSegment(h);
  const payload = decodeSegment(p);
  if (!header || !payload || header.alg !== 'RS256') return undecodable;
  const iss = payload.iss;
  const app = apps.find((a) => String(a.id) === String(iss) || a.clientId === iss);
  if (!app) return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
  const signed = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), app.publicKey, Buffer.from(s, 'base64url'));
  if (!signed) return undecodable;
  const iat = payload.iat;
  const exp = payload.exp;
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > nowSec + 60) {
    return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing a time in the past" };
  }
  if (typeof exp !== 'number' || exp <= nowSec) {
    return { ok: false, message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" };
  }
  if (exp - iat > 600 + 60 || exp > nowSec + 600 + 60) return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  return { ok: true, app };
}

export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

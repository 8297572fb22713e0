// The OAuth 2.0 JWT bearer assertion Salesforce expects (Salesforce OAuth 2.0 JWT bearer flow docs): RS256, iss = consumer key,
// sub = username, aud = login URL, exp within 3 minutes. jsforce does not sign it; Node's crypto does.
import { sign } from 'node:crypto';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export function signJwtBearerAssertion(input: { clientId: string; username: string; audience: string; privateKey: string; now?: number }): string {
  const now = Math.floor((input.now ?? Date.now()) / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iss: input.clientId, sub: input.username, aud: input.audience, exp: now + 180 })}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), input.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

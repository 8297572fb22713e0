// Cordon's ids for Salesforce credentials. A session (AuthSession row) is its record id. A grant (an
// OauthToken row) has no id the API returns, so its id is the user and a short hash of its DeleteToken:
// stable across listings, and never the DeleteToken itself (which revokes the grant).
import { createHash } from 'node:crypto';

export const GRANT_ID_PREFIX = 'oauthtoken:';

export type ParsedSalesforceCredentialId = { type: 'grant'; userId: string; tokenHash: string } | { type: 'session'; sessionId: string };

export const CREDENTIAL_ID_FORMAT = 'oauthtoken:<user id>:<16 hex of the grant’s DeleteToken hash>, or an AuthSession record id';

export function grantIdOf(row: { UserId: string; DeleteToken: string }): string {
  return `${GRANT_ID_PREFIX}${row.UserId}:${createHash('sha256').update(row.DeleteToken).digest('hex').slice(0, 16)}`;
}

export function parseCredentialId(id: string): ParsedSalesforceCredentialId | undefined {
  const grant = /^oauthtoken:([A-Za-z0-9]{15,18}):([0-9a-f]{16})$/.exec(id);
  if (grant) return { type: 'grant', userId: grant[1]!, tokenHash: grant[2]! };
  if (/^[A-Za-z0-9]{15,18}$/.test(id)) return { type: 'session', sessionId: id };
  return undefined;
}

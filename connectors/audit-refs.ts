// From a token as the audit readers name it (connectors/<provider>/audit-reader.ts) to the credential
// reference a containment starts from. The readers key tokens in each provider's own terms; this is the one
// place that knows how each provider's identify() finds them again (docs/drift-watch.md, "Acting on a verdict").
import type { CredentialRef } from '../schemas/credential.ts';
import type { AuditProvider } from '../schemas/token-use.ts';

export interface AuditedToken {
  provider: AuditProvider;
  tokenKey: string;
  principal: string;
  app?: string | undefined;
}

export type RefForToken = { ref: CredentialRef } | { why: string };

export function credentialRefForToken(t: AuditedToken): RefForToken {
  switch (t.provider) {
    case 'google': {
      // `<user email>:<oauth client id>`: the grant of one client for one user, which Directory tokens delete.
      const clientId = t.tokenKey.startsWith(`${t.principal}:`) ? t.tokenKey.slice(t.principal.length + 1) : t.app;
      if (!clientId) return { why: `google: ${t.tokenKey} names no OAuth client` };
      return { ref: { provider: 'google', kind: 'oauth_grant', user: t.principal, clientId } };
    }
    case 'salesforce': {
      // `<user id>:<connected app>`: that user's grants of that app (OauthToken rows) and their sessions.
      const app = t.app ?? t.tokenKey.slice(t.tokenKey.indexOf(':') + 1);
      if (!app) return { why: `salesforce: ${t.tokenKey} names no connected app` };
      return { ref: { provider: 'salesforce', kind: 'refresh_token', user: t.principal, clientId: app } };
    }
    case 'github':
      // GitHub's audit log names a token only by the hash of its value. Without the value, the user's personal
      // access tokens authorized for the org are what the connector can find: the staged plan lists them for approval.
      if (t.app) return { why: `github: ${t.tokenKey.slice(0, 12)}… is a token of ${t.app}; contain it by its OAuth client id or its value` };
      return { ref: { provider: 'github', kind: 'pat', user: t.principal } };
    case 'slack':
      // Slack lists no tokens: without the value, an app's tokens are ended by uninstalling it (the plan says so).
      if (!t.app) return { why: `slack: ${t.tokenKey} names no app; contain it by its value` };
      return { ref: { provider: 'slack', kind: 'oauth_token', clientId: t.app, user: t.principal } };
  }
}

// Slack exposes no token ids, so the connector names what it can act on (design.md §1 "credential
// ref"): a token known by its value (fingerprint only, never the value), all tokens of an app in
// one workspace or the whole org, or one session. The ids carry what revoke needs.
export type SlackCredentialId =
  | { type: 'token'; teamId: string; appId: string; tokenType: 'bot' | 'user'; fingerprint: string }
  | { type: 'app'; scopeId: string; appId: string }
  | { type: 'session'; teamId: string; sessionId: string };

export function formatCredentialId(id: SlackCredentialId): string {
  switch (id.type) {
    case 'token':
      return `token:${id.teamId}:${id.appId}:${id.tokenType}:${id.fingerprint}`;
    case 'app':
      return `app:${id.scopeId}:${id.appId}`;
    case 'session':
      return `session:${id.teamId}:${id.sessionId}`;
  }
}

export function parseCredentialId(raw: string): SlackCredentialId | undefined {
  const parts = raw.split(':');
  if (parts[0] === 'token' && parts.length === 5 && (parts[3] === 'bot' || parts[3] === 'user')) {
    return { type: 'token', teamId: parts[1]!, appId: parts[2]!, tokenType: parts[3], fingerprint: parts[4]! };
  }
  if (parts[0] === 'app' && parts.length === 3) return { type: 'app', scopeId: parts[1]!, appId: parts[2]! };
  if (parts[0] === 'session' && parts.length === 3) return { type: 'session', teamId: parts[1]!, sessionId: parts[2]! };
  return undefined;
}

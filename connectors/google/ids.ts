// Cordon's ids for Google credentials. Google gives most of them no id of their own (a Directory
// "token" is a user + OAuth client pair, Admin SDK Directory API docs: tokens), so the id is the resource path that acts
// on it: stable, readable in evidence, and enough to act on without another lookup.
export const credentialIds = {
  /** One user's grant to one OAuth client (tokens.delete kills all of it). */
  grant: (userEmail: string, clientId: string) => `users/${userEmail}/tokens/${clientId}`,
  asp: (userEmail: string, codeId: number | string) => `users/${userEmail}/asps/${codeId}`,
  /** All web and device sessions of a user: Google lists none, users.signOut ends them all. */
  sessions: (userEmail: string) => `users/${userEmail}/sessions`,
  /** The IAM resource name `projects/{p}/serviceAccounts/{email}/keys/{keyId}`. */
  key: (projectId: string, accountEmail: string, keyId: string) => `projects/${projectId}/serviceAccounts/${accountEmail}/keys/${keyId}`,
};

export type ParsedCredentialId =
  | { type: 'grant'; user: string; clientId: string }
  | { type: 'asp'; user: string; codeId: number }
  | { type: 'sessions'; user: string }
  | { type: 'key'; name: string; project: string; account: string; keyId: string };

export function parseCredentialId(id: string): ParsedCredentialId | undefined {
  let m = /^users\/([^/]+)\/tokens\/(.+)$/.exec(id);
  if (m) return { type: 'grant', user: m[1]!, clientId: m[2]! };
  m = /^users\/([^/]+)\/asps\/(\d+)$/.exec(id);
  if (m) return { type: 'asp', user: m[1]!, codeId: Number(m[2]) };
  m = /^users\/([^/]+)\/sessions$/.exec(id);
  if (m) return { type: 'sessions', user: m[1]! };
  m = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)\/keys\/([^/]+)$/.exec(id);
  if (m) return { type: 'key', name: id, project: m[1]!, account: m[2]!, keyId: m[3]! };
  return undefined;
}

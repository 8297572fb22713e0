// Credentials, principals and consumers as every way in and every connector sees them (design.md §1).
// Pure zod: no Node built-ins, no SDKs. Workflows import this file.
import { z } from 'zod';

export const PROVIDERS = ['google', 'github', 'salesforce', 'slack', 'memory'] as const;
export const Provider = z.enum(PROVIDERS);
export type Provider = z.infer<typeof Provider>;

export const CredentialKind = z.enum([
  'oauth_grant',
  'oauth_token',
  'refresh_token',
  'pat',
  'api_key',
  'app_installation_token',
  'deploy_key',
  'service_account_key',
  'session',
]);
export type CredentialKind = z.infer<typeof CredentialKind>;

export const PrincipalType = z.enum(['user', 'service_account', 'bot', 'integration_user']);
export const PrincipalStatus = z.enum(['active', 'suspended', 'offboarded']);

export const Principal = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  type: PrincipalType,
  status: PrincipalStatus,
});
export type Principal = z.infer<typeof Principal>;

/** Where a consumer's replacement credential is delivered (design.md I5: straight from the activity). */
export const SinkRef = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local'), name: z.string().min(1) }),
  z.object({
    type: z.literal('github_actions_secret'),
    owner: z.string().min(1),
    repo: z.string().min(1),
    secretName: z.string().regex(/^[A-Z_][A-Z0-9_]*$/i, 'GitHub secret names are letters, digits and _'),
  }),
]);
export type SinkRef = z.infer<typeof SinkRef>;

export const Consumer = z.object({
  id: z.string().min(1),
  name: z.string(),
  kind: z.enum(['integration', 'host', 'pipeline', 'person']).default('integration'),
  sink: SinkRef.optional(),
  /** Where the consumer connects from (IPv4 addresses or CIDRs): the allowlist a staged restriction keeps open. */
  egress: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/, 'an IPv4 address or CIDR, e.g. 44.215.108.0/24')).optional(),
});
export type Consumer = z.infer<typeof Consumer>;

/**
 * What each provider's credentials look like (their token format documentation), so a value pasted for
 * the wrong provider, or cut short, is refused before anything is revoked. The reference tenant takes any.
 */
export const LEAKED_VALUE_SHAPES: Partial<Record<Provider, { re: RegExp; expected: string }>> = {
  github: { re: /^(gh[opsur]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})$/, expected: 'ghp_, github_pat_, gho_, ghu_, ghr_ or ghs_ followed by letters and digits' },
  slack: { re: /^(xox[abpres]-[A-Za-z0-9-]{6,}|xoxe\.xox[bp]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,})$/, expected: 'xoxb-, xoxp-, xoxa-, xoxe.xoxb- or xapp- followed by letters, digits and dashes' },
  google: {
    re: /^(ya29\.[A-Za-z0-9._-]{10,}|1\/\/[A-Za-z0-9_-]{20,}|AIza[A-Za-z0-9_-]{20,}|\{[\s\S]*"private_key_id"[\s\S]*\})$/,
    expected: 'an access token (ya29.…), a refresh token (1//…), an API key (AIza…) or a service-account key file (JSON with private_key_id)',
  },
  salesforce: { re: /^(00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]{10,}|5Aep861[A-Za-z0-9._-]{20,})$/, expected: 'an access token or session id (00D…!…) or a refresh token (5Aep861…)' },
};

/**
 * What a responder knows about a compromised credential. At least one identifier. A leaked value
 * is accepted only on the way in; it travels encrypted by the payload codec and is never logged
 * (design.md I5). `fingerprint` is the short sha256 the ways in compute from it.
 */
export const CredentialRef = z
  .object({
    provider: Provider,
    kind: CredentialKind,
    id: z.string().min(1).max(512).optional(),
    clientId: z.string().min(1).max(512).optional(),
    user: z.string().min(1).max(512).optional(),
    keyId: z.string().min(1).max(512).optional(),
    fingerprint: z.string().regex(/^[0-9a-f]{8,64}$/, 'a fingerprint is 8-64 lowercase hex characters').optional(),
    leakedValue: z.string().min(8, 'a leaked value shorter than 8 characters cannot identify a credential').max(8192).optional(),
  })
  .strict()
  .refine((r) => r.id || r.clientId || r.keyId || r.fingerprint || r.leakedValue, {
    message: 'give at least one of id, clientId, keyId, fingerprint or leakedValue',
    path: ['id'],
  })
  .superRefine((r, ctx) => {
    const shape = LEAKED_VALUE_SHAPES[r.provider];
    if (r.leakedValue && shape && !shape.re.test(r.leakedValue.trim())) {
      // The message never repeats the value: it may be a live secret.
      ctx.addIssue({ code: 'custom', path: ['leakedValue'], message: `this does not have the shape of a ${r.provider} credential (${shape.expected}); check that the whole value was pasted and the provider is right` });
    }
  });
export type CredentialRef = z.infer<typeof CredentialRef>;

/** A live credential found by identify. Never carries a secret value. */
export const Credential = z.object({
  provider: Provider,
  kind: CredentialKind,
  id: z.string().min(1),
  label: z.string(),
  principal: Principal,
  scopes: z.array(z.string()),
  clientId: z.string().optional(),
  createdAt: z.string().optional(),
  lastUsedAt: z.string().optional(),
  consumers: z.array(Consumer),
  fingerprint: z.string().optional(),
  /** Cordon's own connector credential, or the last admin path into the tenant (design.md I6). */
  selfOrLastAdmin: z.boolean().default(false),
});
export type Credential = z.infer<typeof Credential>;

/** A credential's key across a run: plan actions, progress, evidence and approvals name credentials by it. */
export function credentialKey(c: Pick<Credential, 'provider' | 'id'>): string {
  return `${c.provider}:${c.id}`;
}

/**
 * What forcing re-authentication of one principal would end (a connector's reauthScope), read by identify in the
 * same round as the credentials when the same rows give both; `notPossible`: re-authentication is refused (I6).
 */
export const ReauthScopeSnapshot = z.object({
  principalId: z.string(),
  credentials: z.array(Credential),
  effects: z.array(z.string()),
  notPossible: z.string().optional(),
});
export type ReauthScopeSnapshot = z.infer<typeof ReauthScopeSnapshot>;

export const ScopeReport = z.object({
  provider: Provider,
  ref: z.string(),
  credentials: z.array(Credential),
  relatedServiceAccounts: z.array(Principal),
  riskFlags: z.array(z.string()),
  /** What the connector could not see (e.g. Salesforce's 2,500-row OauthToken cap). */
  blindSpots: z.array(z.string()),
  /**
   * Reads identify left for after the revoke (identify with `deferEnrichment`): each credential whose details
   * (its owner's name and status, last use, its app's name and sensitive scopes) the connector's `enrich` reads
   * then, with what identify learned that enrich needs (`context`: plain words, never a secret). Only reads
   * that decide neither I6 nor I8 are ever left for later. Absent: the report is complete.
   */
  pendingEnrichment: z.array(z.object({ credentialId: z.string(), context: z.record(z.string(), z.string()) })).optional(),
  /**
   * What re-authenticating a principal of the report ends, read with its credentials (I8): the plan takes it
   * instead of reading it again, and drops it from the report once taken. Absent: the plan reads it.
   */
  reauthScopes: z.array(ReauthScopeSnapshot).optional(),
});
export type ScopeReport = z.infer<typeof ScopeReport>;

/**
 * The re-authentication scopes the reports carry, by `provider:principal id`, taken out of the reports (the
 * plan holds them from then on; the status shows the plan's). Shared by the workflow's plan and the dry run.
 */
export function takeReauthScopes(reports: ScopeReport[]): Map<string, ReauthScopeSnapshot> {
  const out = new Map<string, ReauthScopeSnapshot>();
  for (const r of reports) {
    for (const s of r.reauthScopes ?? []) out.set(`${r.provider}:${s.principalId}`, s);
    delete r.reauthScopes;
  }
  return out;
}

/** One credential's details read after the revoke (`Connector.enrich`), replacing identify's provisional ones. */
export const CredentialEnrichment = z.object({
  credentialId: z.string(),
  label: z.string(),
  principal: Principal,
  lastUsedAt: z.string().optional(),
});
export type CredentialEnrichment = z.infer<typeof CredentialEnrichment>;

/** What a connector's `enrich` read for a report's pending credentials: their details, and the flags and blind spots it adds. */
export const ScopeEnrichment = z.object({
  provider: Provider,
  credentials: z.array(CredentialEnrichment),
  riskFlags: z.array(z.string()),
  blindSpots: z.array(z.string()),
});
export type ScopeEnrichment = z.infer<typeof ScopeEnrichment>;

/** One credential's details from `enrich`, in place. */
export function applyCredentialEnrichment(c: Credential, e: CredentialEnrichment): void {
  c.label = e.label;
  c.principal = e.principal;
  if (e.lastUsedAt) c.lastUsedAt = e.lastUsedAt;
}

/**
 * Puts what `enrich` read into the report, in place: each credential's label, principal and last use (and the
 * principal among the related service accounts), the added risk flags and blind spots; those credentials are no
 * longer pending. Pure: the workflow applies it to the run's scope, a connector to its own report.
 */
export function applyEnrichment(report: ScopeReport, enrichment: ScopeEnrichment): void {
  for (const e of enrichment.credentials) {
    const c = report.credentials.find((x) => x.id === e.credentialId);
    if (!c) continue;
    applyCredentialEnrichment(c, e);
    report.relatedServiceAccounts = report.relatedServiceAccounts.map((p) => (p.id === e.principal.id ? e.principal : p));
  }
  for (const flag of enrichment.riskFlags) if (!report.riskFlags.includes(flag)) report.riskFlags.push(flag);
  for (const spot of enrichment.blindSpots) if (!report.blindSpots.includes(spot)) report.blindSpots.push(spot);
  const done = new Set(enrichment.credentials.map((e) => e.credentialId));
  const pending = report.pendingEnrichment?.filter((p) => !done.has(p.credentialId));
  if (pending?.length) report.pendingEnrichment = pending;
  else delete report.pendingEnrichment;
}

/** What history carries about a replacement: a reference and a short fingerprint, never the value. */
export const ReplacementRef = z.object({
  credentialId: z.string(),
  consumerId: z.string(),
  replacementId: z.string(),
  fingerprint: z.string(),
  sink: z.string(),
  issuedAt: z.string(),
  /** How it was minted, when the evidence must say: an interrupted attempt's orphan ended, or one that could not be. */
  note: z.string().optional(),
});
export type ReplacementRef = z.infer<typeof ReplacementRef>;

/** Short description of a ref for logs, evidence and search: never contains the leaked value. */
export function describeRef(ref: CredentialRef): string {
  const parts: string[] = [ref.provider, ref.kind];
  if (ref.id) parts.push(`id=${ref.id}`);
  if (ref.clientId) parts.push(`client=${ref.clientId}`);
  if (ref.user) parts.push(`user=${ref.user}`);
  if (ref.keyId) parts.push(`key=${ref.keyId}`);
  if (ref.fingerprint) parts.push(`fp=${ref.fingerprint.slice(0, 12)}`);
  return parts.join(' ');
}

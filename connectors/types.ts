// The one interface every provider connector implements (design.md §4). Connectors know nothing
// of Temporal: they throw ConnectorError with a kind, and activities/failures.ts maps it to an
// ApplicationFailure in exactly one place.
import type {
  Consumer,
  Credential,
  CredentialRef,
  Principal,
  Provider,
  ScopeEnrichment,
  ScopeReport,
} from '../schemas/credential.ts';
import type { CredentialSink } from './sinks/types.ts';
import type { InventoryResult } from '../schemas/sweep.ts';
import type { AuditCursor } from '../schemas/audit-cursor.ts';
import type { ReadTokenUseOptions, TokenUseBatch } from './audit-stream.ts';

export const CAPABILITIES = [
  'list',
  'describe',
  'revoke',
  'replace',
  'forceReauth',
  'restrict',
  'probe',
  'audit',
  'revokeAllForClient',
  'blockApp',
  'suspendPrincipal',
  'revokeByValue',
  'tokenUse',
  'lastUse',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const RETRYABLE_KINDS = ['rate_limited', 'unavailable', 'timeout'] as const;
export const ERROR_KINDS = [
  ...RETRYABLE_KINDS,
  'auth',
  'permission',
  'not_found',
  'invalid',
  'conflict',
  'unsupported',
] as const;
export type ConnectorErrorKind = (typeof ERROR_KINDS)[number];

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly kind: ConnectorErrorKind,
    readonly provider: Provider,
    message: string,
    readonly options: { retryAfterMs?: number; requestId?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
  get retryable(): boolean {
    return (RETRYABLE_KINDS as readonly string[]).includes(this.kind);
  }
}

export function unsupported(provider: Provider, capability: Capability, why: string): ConnectorError {
  return new ConnectorError('unsupported', provider, `${provider}: cannot ${capability}: ${why}`);
}

/** Every write names the provider's request id when it has one, for the evidence record. */
export interface WriteResult {
  outcome: 'done' | 'already_done';
  requestId?: string;
  detail?: string;
  /**
   * For restrict(): how to put things back, as plain JSON (it is recorded in history and evidence, so never a
   * secret): what was changed and its previous value. unrestrict() takes it back.
   */
  undo?: RestrictionUndo;
}

/** What a restriction changed and what it was before, e.g. a profile's login IP ranges. */
export interface RestrictionUndo {
  kind: string;
  /** Human words: "restore the login IP ranges of profile Drift Integration to 0.0.0.0–255.255.255.255". */
  description: string;
  data: Record<string, unknown>;
}

/** A kind of replacement an interrupted attempt can orphan beyond Cordon's reach: what it is, why, and how long it lives. */
export interface UnlabelledMint {
  /** e.g. "installation token of installation 42". */
  what: string;
  /** Why an orphan cannot be ended, in words. */
  whyNotEnded: string;
  /** How long a minted one lives: an orphan dies by itself this long after its mint at the latest. */
  lifetimeMs: number;
}

export interface ReplaceOptions {
  /**
   * This run had no claim on (credential, consumer) in the replacement registry before this attempt's: no
   * earlier attempt under this idempotency key reached the mint (the mint follows the claim), so there is no
   * interrupted attempt's replacement to look for.
   */
  firstClaim?: boolean;
}

export interface ReplacementIssued {
  replacementId: string;
  /** Short sha256 prefix of the new value, for evidence; never the value. */
  fingerprint: string;
  /** Where the value went, e.g. `local:acme-ci` or `github:acme/api:SF_TOKEN`. */
  sink: string;
  requestId?: string;
  /**
   * What the evidence must say about how this replacement was minted, in words: an orphan an interrupted
   * attempt left and this one ended, or one that could not be ended (and when it dies by itself).
   */
  note?: string;
}

export type ProbeResult = 'dead' | 'alive' | 'unknown';

/** One credential's last authentication on the provider's record, and where that record comes from. */
export interface CredentialLastUse {
  credentialId: string;
  lastUsedAt?: string;
  /** e.g. "Policy Analyzer serviceAccountKeyLastAuthentication". */
  source: string;
}

export interface AuditEvent {
  at: string;
  actor: string;
  action: string;
  credentialId?: string;
  detail?: string;
}

/**
 * A temporary, reversible narrowing of a shared credential while its consumers are cut over (staged mode):
 * `ip_allowlist` keeps only the consumers' egress addresses (CIDRs), `scope_downgrade` narrows what it may do.
 */
export interface Restriction {
  kind: 'ip_allowlist' | 'scope_downgrade';
  values: string[];
}

export interface IdentifyOptions {
  /** Leave the reads that decide neither I6 nor I8 for `enrich` after the revoke (a single direct run's fast path). */
  deferEnrichment?: boolean;
}

export interface RevokeContext {
  leakedValue?: string;
}

/**
 * What forcing re-authentication of one principal would end, listed before anything is touched so the
 * plan, its digest and the approvers see the whole blast radius (design I8).
 */
export interface ReauthScope {
  /** Every credential of the principal that re-authentication ends, with its consumers. Never Cordon's own (I6). */
  credentials: Credential[];
  /** Effects that are not a listable credential, in words: "signs out every web session", "invalidates backup codes". */
  effects: string[];
}

/**
 * One provider's connector. identify, listActive and revoke are required; every other operation is optional,
 * and what a connector can do is read from the methods it has (connectors/capabilities.ts). An operation a
 * provider does not offer is left out and explained in `cannot`; one offered only for some credentials is
 * implemented and throws `unsupported` with the reason for the others (never a silent no-op).
 */
export interface Connector {
  readonly provider: Provider;
  /** Why each operation this connector leaves out is missing, in words a responder can act on. */
  readonly cannot: Partial<Record<Capability, string>>;
  /** What this connector can never see, said ahead of time (also repeated in each scope report). */
  readonly blindSpots: readonly string[];

  /**
   * Identify scope: the live credentials matching the ref, their principal, consumers, related SAs. With
   * `deferEnrichment`, a connector that has `enrich` may leave out the reads that decide neither I6 (whose
   * credential it is) nor I8 (what its revoke ends): it names them in `pendingEnrichment`, and the caller has
   * `enrich` read them once the revoke is acknowledged. Without `enrich`, the option is ignored.
   */
  identify(ref: CredentialRef, options?: IdentifyOptions): Promise<ScopeReport>;
  /** The details identify left pending (`pendingEnrichment`): read-only, safe to call after the credential is revoked. */
  enrich?(report: ScopeReport): Promise<ScopeEnrichment>;
  /** Credentials still active for a principal (for verification, I3). */
  listActive(principal: Principal): Promise<Credential[]>;
  /**
   * Revoke one credential; already revoked is `already_done`, never an error (I4). Some providers
   * revoke only by value (Slack auth.revoke, GitHub's OAuth token endpoint): the leaked value, when
   * the responder gave it, arrives here (encrypted in history by the codec, never logged).
   */
  revoke(credential: Credential, context?: RevokeContext): Promise<WriteResult>;
  /**
   * Issue a replacement for one consumer and deliver it to the sink. `idempotencyKey` is
   * (workflow id, credential, consumer): a retry returns the replacement already issued (I4).
   */
  replace?(credential: Credential, consumer: Consumer, idempotencyKey: string, sink: CredentialSink, options?: ReplaceOptions): Promise<ReplacementIssued>;
  /**
   * Why replace() would refuse this credential (its provider lets only the user or app mint one), without
   * calling the provider; undefined when it can. A dry run names those consumers as re-authorizing by hand.
   */
  whyNoReplacement?(credential: Credential): string | undefined;
  /** What forceReauth(principal) would end: its live credentials and the effects that are not credentials. */
  reauthScope?(principal: Principal): Promise<ReauthScope>;
  /**
   * Make the principal authenticate again by ending exactly `end` (credentials its reauthScope listed and the
   * plan kept) plus the effects reauthScope announced. Nothing outside `end` is revoked (I8); one already gone
   * counts as ended.
   */
  forceReauth?(principal: Principal, end: readonly Credential[]): Promise<WriteResult>;
  /** The least disruptive reversible restriction the provider offers; the result carries how to undo it. */
  restrict?(credential: Credential, restriction: Restriction): Promise<WriteResult>;
  /** Undoes what restrict() did, from its `undo`; already undone is `already_done`. */
  unrestrict?(credential: Credential, undo: RestrictionUndo): Promise<WriteResult>;
  /** Try the old value against the provider: `dead` only on the provider's own auth error. */
  probe?(credential: Credential, leakedValue: string): Promise<ProbeResult>;
  audit?(principal: Principal, sinceIso: string): Promise<AuditEvent[]>;
  /**
   * The drift watch's feed (docs/drift-watch.md, "Audit readers"): the provider's audit log since `cursor` as
   * normalized token-use events, and the cursor to continue from. Overlapping re-reads never emit an event twice; a
   * record that cannot be read is skipped and counted; a failing provider throws the classified ConnectorError.
   */
  readTokenUse?(cursor: AuditCursor | undefined, options?: ReadTokenUseOptions): Promise<TokenUseBatch>;
  /**
   * When each credential last authenticated, as the provider records it per credential (Google Policy Analyzer's
   * key last-authentication activity). A rotation watches it to see a consumer leave the old credential for its
   * replacement (docs/rotation.md). Undefined `lastUsedAt`: no use on record.
   */
  lastUse?(credentialIds: readonly string[]): Promise<CredentialLastUse[]>;
  /** The fallback ladder (I3), in this order. */
  revokeAllForClient?(credential: Credential): Promise<WriteResult>;
  blockApp?(credential: Credential): Promise<WriteResult>;
  suspendPrincipal?(principal: Principal): Promise<WriteResult>;
  /**
   * Without its value, can this credential only be cut off from the tenant (a PAT de-authorized from the
   * org lives on for its owner)? Then: what its owner must do, in words. Undefined: revoking destroys it.
   */
  cutOffOnly?(credential: Credential): string | undefined;
  /**
   * Does replace() mint, for this credential, something the provider can neither label nor let an admin end
   * (a GitHub installation token dies only by its own value)? Then the activity notes each mint durably first,
   * and an attempt that finds an earlier one undelivered reports the possible orphan and when it expires.
   */
  unlabelledMint?(credential: Credential): UnlabelledMint | undefined;
  /** Hygiene sweeps: every credential listable tenant-wide, and what cannot be seen. */
  inventory?(): Promise<InventoryResult>;
  /** Kill credentials everywhere by their leaked values (GitHub's credential revocation). Paced by the caller. */
  revokeByValue?(items: readonly { credential: Credential; leakedValue: string }[]): Promise<WriteResult>;
}

export type ConnectorRegistry = Partial<Record<Provider, Connector>>;

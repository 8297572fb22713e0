// A containment's evidence: typed events, chained by hash, sealed with a signature.
//
// Every evidence entry is one `EvidenceEvent`, a zod union discriminated on `kind`. All kinds share a
// header: `seq` (0, 1, 2… in the order written), `at` (ISO time), `actor` (who did it: `cordon`,
// `policy`, or the person), optionally `credentialId` (the credential key `provider:id` the event is
// about), `provider` and `requestId` (the provider's id for the call), and the chain links `prev` (the
// previous event's `hash`; 64 zeros for the first) and `hash` (SHA-256 over the canonical JSON of the
// event without `hash`, see schemas/evidence-chain.ts). The kinds follow the run: `started`,
// `identified`, `enriched` (details read after the revoke), `planned`; the approval kinds `approval_requested`, `approval_decided` (decision
// approved | rejected, approver, channel, approvals/quorum, and how the approver was authenticated),
// `approval_refused`, `approval_escalated`,
// `approval_defaulted`, `approval_deadline`, `approval_fail_closed`; staged containment's
// `staged_fail_closed`, `restricted`, `restriction_not_possible`, `unrestricted`, `unrestrict_failed`;
// `revoked` (method tenant | by_value), `revoke_by_value_not_possible`; `replaced`,
// `replacement_owned_elsewhere`, `replacement_not_possible`; `reauthenticated`, `reauth_not_possible`;
// `verified` (verdict dead | alive), `unplanned_left_alone`, `re_revoked`, `fallback_rung`, `cut_off`;
// `stopped` (a permanent refusal); the run's own `waiting_escalated`, `cancel_requested`,
// `signal_ignored`, `notification_failed`, `registry_note`, and `finished` (the outcome). No field ever
// holds a secret (I5): credentials are named by key and fingerprint only. `legacy` carries an entry a run
// wrote before typed events (free text `step`/`outcome`/`detail`, no chain). The run's status carries the
// chain head (`evidenceDigest`) and, once finished, an `EvidenceSeal` (the Ed25519 signature of the
// digest, or why it is unsigned); `EvidencePack` is the self-contained export `cordon evidence verify` checks.
import { z } from 'zod';
import { ContainmentMode, FALLBACK_RUNGS, Outcome, Severity, TimeoutOutcome } from './containment-enums.ts';
import { Provider } from './credential.ts';
import { AuthenticatedBy, Identity } from './envelope.ts';

export const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest is 64 lowercase hex characters');

/** What a provider call did: it acted, or found it done already (idempotent retries). */
export const CallResult = z.enum(['done', 'already_done']);
export type CallResult = z.infer<typeof CallResult>;

/** The header every typed event carries. */
const header = {
  seq: z.number().int().min(0),
  at: z.string(),
  actor: z.string(),
  credentialId: z.string().optional(),
  provider: Provider.optional(),
  requestId: z.string().optional(),
  prev: Hex64,
  hash: Hex64,
};
const event = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) => z.object({ kind: z.literal(kind), ...header }).extend(shape).strict();

const stage = z.string().max(128);
/**
 * How the person behind a decision, refusal or cancel request was authenticated (docs/trust-model.md).
 * Absent on events written before authenticated channels. `channel` is then only what the message said;
 * with it, `channel` is the way in the envelope proves (`temporal` when none did), `claimedChannel` what
 * an unauthenticated message said it came through, and `envelopeRefused` why its envelope did not count.
 */
export const authentication = {
  authenticatedBy: AuthenticatedBy.optional(),
  identity: Identity.optional(),
  claimedChannel: z.string().optional(),
  envelopeRefused: z.string().optional(),
};
const credentialId = z.string();
const reason = z.string();

export const EVIDENCE_EVENTS = [
  /** The run accepted its input; `actor` is the requester. */
  event('started', {
    workflowId: z.string(),
    incidentId: z.string(),
    credentialRefs: z.number().int().min(0),
    mode: ContainmentMode,
    severity: Severity,
    breakGlass: z.boolean(),
    retryOf: z.string().optional(),
    origin: z.string().optional(),
  }),
  /** One connector's scope report. */
  event('identified', { provider: Provider, ref: z.string(), live: z.number().int().min(0), riskFlags: z.array(z.string()), blindSpots: z.array(z.string()) }),
  /**
   * Details identify left for after the revoke, once read (a single direct run's fast path): each credential's
   * label, owner and last use, and the risk flags and blind spots they added. `failed`: why they could not be read.
   */
  event('enriched', {
    provider: Provider,
    ref: z.string(),
    credentials: z.array(z.object({ credentialId, label: z.string(), principal: z.string(), principalStatus: z.string(), lastUsedAt: z.string().optional() }).strict()),
    riskFlags: z.array(z.string()),
    blindSpots: z.array(z.string()),
    failed: z.string().optional(),
  }),
  /** The plan, bound by its digest (I7), with what re-authentication ends besides the targets (I8). */
  event('planned', {
    digest: Hex64,
    actions: z.number().int().min(0),
    waves: z.number().int().min(0),
    reauthEnds: z.number().int().min(0),
    reauthConsumers: z.number().int().min(0),
    leftAlone: z.number().int().min(0),
  }),
  event('approval_requested', {
    stage,
    digest: Hex64,
    description: z.string(),
    credentialIds: z.array(z.string()),
    consumerIds: z.array(z.string()),
    wave: z.number().int(),
    quorum: z.number().int(),
  }),
  /** One decision the workflow accepted; `approvals` counts approvals so far (quorum reached when ≥ `quorum`). */
  event('approval_decided', {
    stage,
    decision: z.enum(['approved', 'rejected']),
    approver: z.string(),
    channel: z.string(),
    approvals: z.number().int().min(0),
    quorum: z.number().int().min(1),
    reason: z.string().optional(),
    ...authentication,
  }),
  /**
   * A decision refused before it counted (stale digest, not an approver, unauthenticated where the
   * policy requires authentication…): recorded by the workflow, or reported by the way in (older runs).
   */
  event('approval_refused', { stage, approver: z.string(), channel: z.string(), reason, ...authentication }),
  event('approval_escalated', { stage, after: z.string() }),
  /** The severity policy applied when nobody decided; `actor` is `policy`. */
  event('approval_defaulted', { stage, onTimeout: TimeoutOutcome, severity: Severity }),
  event('approval_deadline', { stage, deadline: z.string() }),
  /** A direct run's approval reached its deadline: the containment goes ahead (fail closed). */
  event('approval_fail_closed', { stage, reason }),
  /** A staged credential is revoked at once: a stage rejected, or the deadline passed (I2). */
  event('staged_fail_closed', { credentialId, stage, cause: z.enum(['rejected', 'deadline']), rejectedBy: z.array(z.string()) }),
  /** `actor` is the approvers, comma separated. */
  event('restricted', {
    credentialId,
    restriction: z.enum(['ip_allowlist', 'scope_downgrade']),
    result: CallResult,
    approvers: z.array(z.string()),
    detail: z.string().optional(),
    undo: z.string().optional(),
  }),
  event('restriction_not_possible', { credentialId, reason }),
  event('unrestricted', { credentialId, result: CallResult, undo: z.string() }),
  /** The restriction must be undone by hand. */
  event('unrestrict_failed', { credentialId, undo: z.string(), reason }),
  /** `tenant`: through the provider's admin API; `by_value`: reported to the provider's credential revocation with the value. */
  event('revoked', { credentialId, method: z.enum(['tenant', 'by_value']), result: CallResult, detail: z.string().optional() }),
  event('revoke_by_value_not_possible', { credentialId, reason }),
  /** A replacement for one consumer: reference and fingerprint, never the value. `context` says why it was issued when it was (staged wave, fail closed, re-authentication). */
  event('replaced', {
    credentialId,
    consumerId: z.string(),
    replacementId: z.string(),
    sink: z.string(),
    fingerprint: z.string(),
    note: z.string().optional(),
    context: z.string().optional(),
  }),
  event('replacement_owned_elsewhere', { credentialId, consumerId: z.string(), ownedBy: z.string(), replacementId: z.string().optional() }),
  /** The consumer must re-authorize by itself (the provider cannot mint for it). */
  event('replacement_not_possible', { credentialId, consumerId: z.string(), reason }),
  event('reauthenticated', { provider: Provider, principalId: z.string(), result: CallResult, ended: z.number().int().min(0), detail: z.string().optional() }),
  /** `planned`: the plan already said the provider cannot; `unsupported`: the provider said so (or it would lock Cordon out); `refused`: a permanent failure. */
  event('reauth_not_possible', { provider: Provider, principalId: z.string(), cause: z.enum(['planned', 'unsupported', 'refused']), reason }),
  event('verified', {
    credentialId,
    verdict: z.enum(['dead', 'alive']),
    stillActive: z.boolean(),
    unexpectedActive: z.array(z.string()),
    probe: z.enum(['dead', 'alive', 'unknown', 'skipped']),
  }),
  /** Same principal and app, not issued by Cordon, not planned: reported, never touched (I8). */
  event('unplanned_left_alone', { credentialId, unplanned: z.array(z.string()) }),
  /** `credentialId` is what was re-revoked; `of` the credential being verified. */
  event('re_revoked', { credentialId, of: z.string(), attempt: z.number().int().min(1), result: CallResult }),
  event('fallback_rung', { credentialId, rung: z.enum(FALLBACK_RUNGS), result: z.enum(['done', 'already_done', 'not_possible']), detail: z.string().optional() }),
  /** Gone from the tenant, alive for its owner until they act (`ownerAction`). */
  event('cut_off', { credentialId, ownerAction: z.string() }),
  /** A permanent refusal stopped this credential's containment (I9). */
  event('stopped', { credentialId, failureType: z.string(), reason }),
  /** A provider kept failing transiently (I9): still retrying. */
  event('waiting_escalated', { what: z.string(), since: z.string(), attempts: z.number().int().min(0), lastError: z.string() }),
  /** `actor` asked to cancel through `channel`. */
  event('cancel_requested', { channel: z.string(), reason: z.string().optional(), ...authentication }),
  /** A malformed signal, recorded instead of failing the workflow task. */
  event('signal_ignored', { signal: z.string(), reason }),
  event('notification_failed', { notification: z.string(), reason }),
  event('registry_note', { note: z.enum(['release_failed']), reason }),
  event('finished', { outcome: Outcome, reason: z.string().optional() }),
] as const;

/** An entry written before typed events: free text, no chain. Readers show it; nothing decides on it. */
export const LegacyEvidenceEvent = z.object({
  kind: z.literal('legacy'),
  seq: z.number().int().min(0),
  at: z.string(),
  actor: z.string(),
  credentialId: z.string().optional(),
  requestId: z.string().optional(),
  step: z.string(),
  outcome: z.string(),
  detail: z.string().optional(),
});
export type LegacyEvidenceEvent = z.infer<typeof LegacyEvidenceEvent>;

/** What the workflow writes. */
export const EvidenceEvent = z.discriminatedUnion('kind', EVIDENCE_EVENTS);
export type EvidenceEvent = z.infer<typeof EvidenceEvent>;
export type EvidenceKind = EvidenceEvent['kind'];
export type EvidenceOf<K extends EvidenceKind> = Extract<EvidenceEvent, { kind: K }>;
export const EVIDENCE_KINDS = EVIDENCE_EVENTS.map((e) => e.shape.kind.value) as EvidenceKind[];

/** What readers parse: typed events, and the free-text entries of runs finished before them. */
export const EvidenceEntry = z.preprocess(
  (raw) => (raw && typeof raw === 'object' && !('kind' in raw) && 'step' in raw ? { ...raw, kind: 'legacy' } : raw),
  z.discriminatedUnion('kind', [...EVIDENCE_EVENTS, LegacyEvidenceEvent]),
);
export type EvidenceEntry = EvidenceEvent | LegacyEvidenceEvent;

/** An event as the workflow hands it to `record`: the header's seq, time and chain links are filled in. */
export type EvidenceDraft = EvidenceEvent extends infer E ? (E extends EvidenceEvent ? Omit<E, 'seq' | 'at' | 'prev' | 'hash'> : never) : never;

export const EVIDENCE_SIGNATURE_ALGORITHM = 'ed25519';

/**
 * The final digest (the last event's hash) and its signature. Signed: Ed25519 over the UTF-8 bytes of
 * `cordon-evidence-v1:<digest>` (see evidenceSigningMessage), the public key as the raw 32 bytes in
 * base64url (a JWK's `x`), `keyId` the first 16 hex characters of the key's SHA-256. Unsigned: why.
 * Nothing else is in a seal: every field of a pack is covered by the chain or the signature (the time of
 * sealing is the `finished` event's).
 */
export const EvidenceSeal = z.discriminatedUnion('signed', [
  z
    .object({
      signed: z.literal(true),
      algorithm: z.literal(EVIDENCE_SIGNATURE_ALGORITHM),
      digest: Hex64,
      signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'an Ed25519 signature is 64 bytes in base64url'),
      publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'an Ed25519 public key is 32 bytes in base64url'),
      keyId: z.string().regex(/^[0-9a-f]{16}$/),
    })
    .strict(),
  z.object({ signed: z.literal(false), digest: Hex64, reason: z.string() }).strict(),
]);
export type EvidenceSeal = z.infer<typeof EvidenceSeal>;

/** The bytes an evidence signature covers (as a string: callers encode it as UTF-8). */
export const evidenceSigningMessage = (digest: string) => `cordon-evidence-v1:${digest}`;

/** What every report shows of a run's chain: the final digest, how many events it covers, and the seal. */
export const EvidenceSummary = z.object({
  digest: Hex64,
  events: z.number().int().min(0),
  signed: z.boolean(),
  keyId: z.string().optional(),
  unsignedReason: z.string().optional(),
});
export type EvidenceSummary = z.infer<typeof EvidenceSummary>;

export const EVIDENCE_PACK_FORMAT = 'cordon-evidence-pack/v1';

/** An exported evidence record, checkable away from Cordon with `cordon evidence verify <file>`. */
export const EvidencePack = z
  .object({
    format: z.literal(EVIDENCE_PACK_FORMAT),
    workflowId: z.string(),
    incidentId: z.string(),
    outcome: Outcome,
    /** The chain head: the last event's hash. */
    digest: Hex64,
    seal: EvidenceSeal,
    events: z.array(EvidenceEvent),
  })
  .strict();
export type EvidencePack = z.infer<typeof EvidencePack>;

/** The run's fields a pack is built from (a ContainmentStatus has them all). */
export interface SealedRun {
  workflowId: string;
  incidentId: string;
  outcome: z.infer<typeof Outcome>;
  evidence: readonly EvidenceEntry[];
  evidenceDigest?: string | undefined;
  seal?: EvidenceSeal | undefined;
}

/**
 * The pack for a finished run. Throws, naming the reason, for a run still running, one that predates
 * typed evidence (legacy entries have no chain), or one without a seal.
 */
export function buildEvidencePack(run: SealedRun): EvidencePack {
  if (run.outcome === 'running') throw new Error(`${run.workflowId} is still running: its evidence is sealed when it finishes`);
  const legacy = run.evidence.find((e) => e.kind === 'legacy');
  if (legacy) throw new Error(`${run.workflowId} finished before evidence was chained (event ${legacy.seq} is free text): it has no pack to verify`);
  if (!run.seal || !run.evidenceDigest) throw new Error(`${run.workflowId} has no evidence seal: it finished before evidence was sealed`);
  return EvidencePack.parse({
    format: EVIDENCE_PACK_FORMAT,
    workflowId: run.workflowId,
    incidentId: run.incidentId,
    outcome: run.outcome,
    digest: run.evidenceDigest,
    seal: run.seal,
    events: run.evidence,
  });
}

// What the export reads from a containment's evidence: one record per evidence event with its kind
// (schemas/evidence.ts), the credential, provider and principal it touched, the provider's request id,
// whether the step did what it set out to do, and the event's chain hash. The framework mapping
// (./frameworks.ts), the OCSF export (./ocsf.ts) and the auditor's pack (reports/evidence-html.ts) read
// this shape and nothing else. Typed events are read by their fields; the free-text entries of runs
// finished before typed evidence (`legacy`) are placed by their step name, the one place that does so.
import type { ContainmentStatus } from '../schemas/containment.ts';
import { EvidenceEntry, type EvidenceEvent, type EvidenceKind, type EvidenceOf, type LegacyEvidenceEvent } from '../schemas/evidence.ts';
import { authenticationText } from '../schemas/evidence-text.ts';

/** The kinds of schemas/evidence.ts, and `other` for a legacy entry no kind fits. */
export type ExportKind = EvidenceKind | 'other';

export interface ExportEvent {
  seq: number;
  at: string;
  kind: ExportKind;
  /** Who acted: `cordon`, `policy`, or the person who decided, refused or cancelled. */
  actor: string;
  /** `provider:id` of the credential the step touched, when it touched one. */
  credentialKey?: string;
  provider?: string;
  /** The principal of a principal change (re-authentication, suspension). */
  principal?: string;
  /** The provider's own id for the call, when the connector returned one. */
  requestId?: string;
  /** Whether the step did what it set out to do (a refused decision or an `alive` verdict is false). */
  succeeded: boolean;
  /** One line for people. */
  summary: string;
  /** The event's hash in the evidence chain (typed events only). */
  hash?: string;
  /** For a fallback rung: which one (a suspended principal is an account change). */
  rung?: string;
  /** For a decision, refusal or cancel request: how the person was authenticated (docs/trust-model.md). */
  authentication?: Pick<EvidenceOf<'approval_decided'>, 'channel' | 'authenticatedBy' | 'identity' | 'claimedChannel' | 'envelopeRefused'>;
}

/** The run facts the export needs besides the events. */
export interface ExportRun {
  workflowId: string;
  incidentId: string;
  outcome: ContainmentStatus['outcome'];
  outcomeReason?: string;
  startedAt: string;
  finishedAt?: string;
  planDigest?: string;
  /** The chain head and its seal, when the run keeps a chain. */
  digest?: string;
  seal?: ContainmentStatus['seal'];
  events: ExportEvent[];
}

/** Kinds whose very occurrence means the step failed or was refused. */
const FAILURE_KINDS = new Set<ExportKind>([
  'approval_refused',
  'restriction_not_possible',
  'unrestrict_failed',
  'revoke_by_value_not_possible',
  'replacement_not_possible',
  'replacement_owned_elsewhere',
  'reauth_not_possible',
  'stopped',
  'notification_failed',
  'signal_ignored',
  'registry_note',
]);

function succeededOf(e: EvidenceEvent): boolean {
  switch (e.kind) {
    case 'verified':
      return e.verdict === 'dead';
    case 'fallback_rung':
      return e.result !== 'not_possible';
    case 'finished':
      return e.outcome === 'contained' || e.outcome === 'contained_in_tenant';
    case 'approval_decided':
      return true;
    default:
      return !FAILURE_KINDS.has(e.kind);
  }
}

const words = (kind: string) => kind.replaceAll('_', ' ');

/** A plain one-line account of a typed event, from its fields. */
function summaryOf(e: EvidenceEvent): string {
  const on = e.credentialId ? ` ${e.credentialId}` : '';
  switch (e.kind) {
    case 'started':
      return `containment started by ${e.actor} (${e.mode}, ${e.severity}${e.breakGlass ? ', break-glass' : ''})`;
    case 'identified':
      return `${e.provider}: ${e.live} live credential(s) for ${e.ref}`;
    case 'enriched':
      return `${e.provider}: details of ${e.credentials.length} credential(s) for ${e.ref} read after the revoke${e.failed ? ` (failed: ${e.failed})` : ''}`;
    case 'planned':
      return `plan ${e.digest.slice(0, 12)}: ${e.actions} action(s) in ${e.waves} wave(s)`;
    case 'approval_decided':
      return `${e.approver} ${e.decision} ${e.stage} via ${e.channel}${e.authenticatedBy ? ` (${authenticationText(e)})` : ''} (${e.approvals}/${e.quorum})`;
    case 'approval_refused':
      return `decision by ${e.approver} via ${e.channel}${e.authenticatedBy ? ` (${authenticationText(e)})` : ''} on ${e.stage} refused: ${e.reason}`;
    case 'cancel_requested':
      return `cancel requested by ${e.actor} via ${e.channel}${e.authenticatedBy ? ` (${authenticationText(e)})` : ''}${e.reason ? `: ${e.reason}` : ''}`;
    case 'revoked':
      return `revoked${on} (${e.method}${e.result === 'already_done' ? ', already gone' : ''})`;
    case 'replaced':
      return `replacement for ${e.consumerId} of${on} delivered to ${e.sink} (fp ${e.fingerprint})`;
    case 'reauthenticated':
      return `${e.provider} ${e.principalId} re-authenticated: ${e.ended} credential(s) ended`;
    case 'reauth_not_possible':
      return `${e.provider} ${e.principalId} could not be re-authenticated (${e.cause}): ${e.reason}`;
    case 'verified':
      return `verified${on}: ${e.verdict}`;
    case 'fallback_rung':
      return `fallback ${e.rung}${on}: ${words(e.result)}`;
    case 'cut_off':
      return `cut off in the tenant${on}; owner must ${e.ownerAction}`;
    case 'finished':
      return `finished: ${words(e.outcome)}${e.reason ? ` (${e.reason})` : ''}`;
    default: {
      const reason = 'reason' in e && typeof e.reason === 'string' ? `: ${e.reason}` : '';
      const stage = 'stage' in e && typeof e.stage === 'string' ? ` ${e.stage}` : '';
      return `${words(e.kind)}${stage}${on}${reason}`;
    }
  }
}

/** How the person behind a decision, refusal or cancel request was authenticated; none for events from before it was recorded. */
function authenticationOf(e: EvidenceEvent): { authentication: NonNullable<ExportEvent['authentication']> } | undefined {
  if ((e.kind !== 'approval_decided' && e.kind !== 'approval_refused' && e.kind !== 'cancel_requested') || !e.authenticatedBy) return undefined;
  const { channel, authenticatedBy, identity, claimedChannel, envelopeRefused } = e;
  return { authentication: { channel, authenticatedBy, ...(identity ? { identity } : {}), ...(claimedChannel ? { claimedChannel } : {}), ...(envelopeRefused ? { envelopeRefused } : {}) } };
}

/** Where a legacy (free-text) entry belongs. */
function legacyKindOf(e: LegacyEvidenceEvent): ExportKind {
  const { step, outcome } = e;
  if (step === 'start') return 'started';
  if (step === 'identify') return 'identified';
  if (step === 'plan') return 'planned';
  if (step === 'restrict') return outcome === 'not possible' ? 'restriction_not_possible' : 'restricted';
  if (step === 'unrestrict') return outcome === 'undo failed' ? 'unrestrict_failed' : 'unrestricted';
  if (step === 'revoke') return outcome === 'by value not possible' ? 'revoke_by_value_not_possible' : 'revoked';
  if (step === 're-revoke') return 're_revoked';
  if (step === 'replace') return outcome === 'not possible' ? 'replacement_not_possible' : outcome === 'owned by another run' ? 'replacement_owned_elsewhere' : 'replaced';
  if (step === 'reauth') return outcome === 'not possible' || outcome === 'refused' ? 'reauth_not_possible' : 'reauthenticated';
  if (step === 'verify') return outcome === 'cut off in tenant' ? 'cut_off' : outcome.startsWith('unplanned') ? 'unplanned_left_alone' : 'verified';
  if (step.startsWith('fallback:')) return 'fallback_rung';
  if (step === 'finish') return 'finished';
  if (step === 'cancel') return 'cancel_requested';
  if (step === 'notify') return 'notification_failed';
  if (step === 'waiting') return 'waiting_escalated';
  if (step === 'refused') return 'stopped';
  if (step === 'staged') return 'staged_fail_closed';
  if (step.startsWith('approval:')) {
    if (outcome === 'requested') return 'approval_requested';
    if (outcome === 'escalated') return 'approval_escalated';
    if (outcome.startsWith('timeout default')) return 'approval_defaulted';
    if (outcome === 'fail closed') return 'approval_fail_closed';
    if (outcome === 'deadline passed') return 'approval_deadline';
    if (outcome === 'refused') return 'approval_refused';
    if (outcome === 'approved' || outcome === 'rejected') return 'approval_decided';
  }
  return 'other';
}

function fromLegacy(e: LegacyEvidenceEvent, providerOf: ReadonlyMap<string, string>): ExportEvent {
  const kind = legacyKindOf(e);
  const provider = e.credentialId ? (providerOf.get(e.credentialId) ?? e.credentialId.split(':')[0]) : undefined;
  const failed = FAILURE_KINDS.has(kind) || (kind === 'verified' && e.outcome === 'alive') || (kind === 'fallback_rung' && e.outcome === 'not possible');
  const succeeded = kind === 'finished' ? e.outcome === 'contained' || e.outcome === 'contained_in_tenant' : !failed;
  return {
    seq: e.seq,
    at: e.at,
    kind,
    actor: e.actor,
    ...(e.credentialId ? { credentialKey: e.credentialId } : {}),
    ...(provider ? { provider } : {}),
    ...(e.requestId ? { requestId: e.requestId } : {}),
    ...(kind === 'fallback_rung' ? { rung: e.step.slice('fallback:'.length) } : {}),
    succeeded,
    summary: `${e.step}: ${e.outcome}${e.detail ? ` — ${e.detail}` : ''}`,
  };
}

export function exportEventsOf(evidence: readonly EvidenceEntry[], providerOf: ReadonlyMap<string, string> = new Map()): ExportEvent[] {
  return evidence.map((raw) => {
    // A status read from Temporal holds entries as the workflow wrote them: a free-text entry has no
    // `kind` until the evidence schema reads it (it marks it `legacy`).
    const e = EvidenceEntry.parse(raw);
    if (e.kind === 'legacy') return fromLegacy(e, providerOf);
    const provider = e.provider ?? (e.credentialId ? (providerOf.get(e.credentialId) ?? e.credentialId.split(':')[0]) : undefined);
    const principal = e.kind === 'reauthenticated' || e.kind === 'reauth_not_possible' ? `${e.provider}:${e.principalId}` : undefined;
    return {
      seq: e.seq,
      at: e.at,
      kind: e.kind,
      actor: e.actor,
      ...(e.credentialId ? { credentialKey: e.credentialId } : {}),
      ...(provider ? { provider } : {}),
      ...(principal ? { principal } : {}),
      ...(e.requestId ? { requestId: e.requestId } : {}),
      ...(e.kind === 'fallback_rung' ? { rung: e.rung } : {}),
      ...(authenticationOf(e) ?? {}),
      succeeded: succeededOf(e),
      summary: summaryOf(e),
      hash: e.hash,
    };
  });
}

/** The export's view of a run, from its status (the API, the CLI and the delivery activity all hold one). */
export function exportRunOf(status: ContainmentStatus): ExportRun {
  const providerOf = new Map(status.credentials.map((c) => [c.credentialId, c.provider]));
  return {
    workflowId: status.workflowId,
    incidentId: status.incidentId,
    outcome: status.outcome,
    ...(status.outcomeReason ? { outcomeReason: status.outcomeReason } : {}),
    startedAt: status.startedAt,
    ...(status.finishedAt ? { finishedAt: status.finishedAt } : {}),
    ...(status.plan ? { planDigest: status.plan.digest } : {}),
    ...(status.evidenceDigest ? { digest: status.evidenceDigest } : {}),
    ...(status.seal ? { seal: status.seal } : {}),
    events: exportEventsOf(status.evidence, providerOf),
  };
}

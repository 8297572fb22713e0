// What the export reads from a containment's evidence: one record per evidence event with its kind
// (what happened), the credential and provider it touched, the provider's request id, and the event's
// chain hash when the run has one. The framework mapping (./frameworks.ts), the OCSF export
// (./ocsf.ts) and the auditor's pack (reports/evidence-html.ts) all read this shape and nothing else,
// so the one place that knows how the evidence is written is `exportEventsOf` below.
import type { ContainmentStatus, EvidenceEvent } from '../schemas/containment.ts';

export const EVIDENCE_KINDS = [
  'started',
  'identified',
  'planned',
  'approval_requested',
  'approval_decided',
  'approval_refused',
  'approval_escalated',
  'approval_defaulted',
  'restricted',
  'unrestricted',
  'revoked',
  'replaced',
  'reauthenticated',
  'verified',
  'fallback',
  'cut_off',
  'finished',
  'cancel_requested',
  'notification_failed',
  /** Anything else the run recorded (ignored malformed signals, registry releases): kept in the timeline, mapped to nothing. */
  'other',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export interface ExportEvent {
  seq: number;
  at: string;
  kind: EvidenceKind;
  /** Who acted: `cordon`, `policy`, or the person who decided, refused or cancelled. */
  actor: string;
  /** `provider:id` of the credential the step touched, when it touched one. */
  credentialKey?: string;
  provider?: string;
  /** The principal a principal change touched (forced re-authentication, suspension). */
  principal?: string;
  /** The provider's own id for the call (e.g. GitHub's x-github-request-id), when the connector returned one. */
  requestId?: string;
  /** Whether the step did what it set out to do (a refused revoke or an `alive` verdict is false). */
  succeeded: boolean;
  /** One line for people, rendered from the event. */
  summary: string;
  /** The event's hash in the evidence chain, when the run keeps one. */
  hash?: string;
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
  /** The chain's final digest and its signature, when the run keeps a chain. */
  chain?: { finalDigest: string; signature?: string; publicKey?: string };
  events: ExportEvent[];
}

const FAILED = /not possible|refused|failed|alive|fail closed|deadline passed|undo failed|by value not possible|owned by another run/;

function kindOf(e: EvidenceEvent): EvidenceKind {
  const step = e.step;
  if (step === 'start') return 'started';
  if (step === 'identify') return 'identified';
  if (step === 'plan') return 'planned';
  if (step === 'restrict') return 'restricted';
  if (step === 'unrestrict') return 'unrestricted';
  if (step === 'revoke' || step === 're-revoke') return 'revoked';
  if (step === 'replace') return 'replaced';
  if (step === 'reauth') return 'reauthenticated';
  if (step === 'verify') return e.outcome === 'cut off in tenant' ? 'cut_off' : 'verified';
  if (step.startsWith('fallback:')) return 'fallback';
  if (step === 'finish') return 'finished';
  if (step === 'cancel') return 'cancel_requested';
  if (step === 'notify') return 'notification_failed';
  if (step === 'refused' || step === 'staged') return 'other';
  if (step.startsWith('approval:')) {
    if (e.outcome === 'requested') return 'approval_requested';
    if (e.outcome === 'escalated') return 'approval_escalated';
    if (e.outcome.startsWith('timeout default') || e.outcome === 'fail closed' || e.outcome === 'deadline passed') return 'approval_defaulted';
    if (e.outcome === 'refused') return 'approval_refused';
    if (e.outcome === 'approved' || e.outcome === 'rejected') return 'approval_decided';
  }
  if (step === 'waiting') return 'approval_escalated';
  return 'other';
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
    events: exportEventsOf(status.evidence, providerOf),
  };
}

export function exportEventsOf(evidence: readonly EvidenceEvent[], providerOf: ReadonlyMap<string, string> = new Map()): ExportEvent[] {
  return evidence.map((e) => {
    const kind = kindOf(e);
    const provider = e.credentialId ? (providerOf.get(e.credentialId) ?? e.credentialId.split(':')[0]) : undefined;
    const succeeded = kind === 'finished' ? e.outcome === 'contained' || e.outcome === 'contained_in_tenant' : !FAILED.test(e.outcome);
    return {
      seq: e.seq,
      at: e.at,
      kind,
      actor: e.actor,
      ...(e.credentialId ? { credentialKey: e.credentialId } : {}),
      ...(provider ? { provider } : {}),
      ...(e.requestId ? { requestId: e.requestId } : {}),
      ...(kind === 'reauthenticated' && e.detail?.includes(':') ? { principal: e.detail.slice(0, e.detail.indexOf(':')) } : {}),
      succeeded,
      summary: `${e.step}: ${e.outcome}${e.detail ? ` — ${e.detail}` : ''}`,
    };
  });
}

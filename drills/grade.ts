// Grading a drill: a pure function from the containment's final status (schemas/containment.ts) and
// the drill's targets to the drill report. Every figure comes from the workflow's own timestamps
// (credential transitions, evidence), so a drill grades exactly what a real incident would record.
import { durationMs, type ContainmentStatus } from '../schemas/containment.ts';
import { credentialKey } from '../schemas/credential.ts';
import type { EvidenceEvent } from '../schemas/evidence.ts';
import { approvalEvents, evidenceSummary, evidenceText, type ApprovalEvent } from '../schemas/evidence-text.ts';
import type {
  ApprovalWait,
  BrokenConsumer,
  DrillCheck,
  DrillDefinition,
  DrillReport,
  DrillTargets,
  FallbackStep,
  GradedCredential,
} from '../schemas/drill.ts';

/** Evidence kinds that mean the straight path did not work and Cordon had to do something else. */
const FALLBACK_KINDS: ReadonlySet<string> = new Set(['re_revoked', 'fallback_rung']);
/** …and steps a provider could not do, or a stage that failed closed. */
const DETOUR_KINDS: ReadonlySet<string> = new Set([
  ...FALLBACK_KINDS,
  'restriction_not_possible',
  'revoke_by_value_not_possible',
  'replacement_not_possible',
  'reauth_not_possible',
  'approval_fail_closed',
  'staged_fail_closed',
]);

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

function expectationFor(credentialId: string, targets: DrillTargets): { expected: GradedCredential['expected']; reason?: string } {
  const known = targets.expectNotContained.find((e) => credentialId.includes(e.match));
  if (known) return { expected: 'not_contained', reason: known.reason };
  const cut = targets.expectCutOff.find((e) => credentialId.includes(e.match));
  return cut ? { expected: 'cut_off', reason: cut.reason } : { expected: 'verified_dead' };
}

function gradeCredentials(s: ContainmentStatus, targets: DrillTargets): GradedCredential[] {
  const start = Date.parse(s.startedAt);
  return s.credentials.map((p) => {
    const at = (state: string) => p.transitions.find((t) => t.state === state)?.at;
    const revokedAt = at('revoked');
    const deadAt = at('verified_dead');
    const { expected, reason } = expectationFor(p.credentialId, targets);
    return {
      credentialId: p.credentialId,
      provider: p.provider,
      label: p.label,
      finalState: p.state,
      expected,
      ...(reason ? { expectedReason: reason } : {}),
      timeline: p.transitions.map((t) => ({ state: t.state, at: t.at, offsetMs: Date.parse(t.at) - start })),
      ...(revokedAt ? { timeToRevokeMs: Date.parse(revokedAt) - start } : {}),
      ...(deadAt ? { timeToVerifiedDeadMs: Date.parse(deadAt) - start } : {}),
      replacements: p.replacements.length,
      fallbacksUsed: [...p.fallbacksUsed],
    };
  });
}

/**
 * Approval waits from the evidence: `approval:<stage>` requested → the deciding event (quorum of
 * approvals, a rejection, the timeout default `proceed`, or the staged deadline). Undecided waits
 * run to the end of the run (or now, while it is still running).
 */
function approvalWaits(s: ContainmentStatus, now: number): ApprovalWait[] {
  const start = Date.parse(s.startedAt);
  const waits: ApprovalWait[] = [];
  for (const requested of s.evidence) {
    if (requested.kind !== 'approval_requested') continue;
    const events = approvalEvents(s.evidence, requested.stage);
    const deciding = events.find(decides);
    const end = deciding ? Date.parse(deciding.at) : s.finishedAt ? Date.parse(s.finishedAt) : now;
    const decided = events.filter((e) => e.kind === 'approval_decided');
    waits.push({
      stage: requested.stage,
      requestedAt: requested.at,
      requestedOffsetMs: Date.parse(requested.at) - start,
      ...(deciding ? { decidedAt: deciding.at } : {}),
      waitMs: end - Date.parse(requested.at),
      outcome: deciding ? decisionOf(deciding) : 'undecided',
      deciders: decided.map((e) => e.approver),
      escalated: events.some((e) => e.kind === 'approval_escalated'),
    });
  }
  return waits;
}

/** The event that ends an approval wait: the quorum's last approval, a rejection, the policy's proceed, or the deadline. */
function decides(e: ApprovalEvent): boolean {
  if (e.kind === 'approval_decided') return e.decision === 'rejected' || e.approvals >= e.quorum;
  return e.kind === 'approval_deadline' || (e.kind === 'approval_defaulted' && e.onTimeout === 'proceed');
}

function decisionOf(e: ApprovalEvent): string {
  if (e.kind === 'approval_decided') return e.decision;
  return e.kind === 'approval_deadline' ? 'deadline passed' : 'timeout default: proceed';
}

/** Consumers left without a replacement: they break when the credential dies and must re-authorize. */
function brokenConsumers(s: ContainmentStatus): BrokenConsumer[] {
  const broken: BrokenConsumer[] = [];
  for (const c of s.plan?.credentials ?? []) {
    const key = credentialKey(c);
    const progress = s.credentials.find((p) => p.credentialId === key);
    for (const consumer of c.consumers) {
      if (progress?.replacements.some((r) => r.consumerId === consumer.id)) continue;
      const why = s.evidence.find((e) => e.kind === 'replacement_not_possible' && e.credentialId === key && e.consumerId === consumer.id);
      const reason = why?.kind === 'replacement_not_possible'
        ? `must re-authorize: ${why.reason}`
        : progress?.state === 'not_contained'
          ? 'no replacement was issued: the credential was not contained'
          : 'no replacement was issued';
      broken.push({ credentialId: key, consumerId: consumer.id, consumerName: consumer.name, reason });
    }
  }
  return broken;
}

/** Re-revokes, fallback rungs, and steps a provider could not do (so Cordon went another way). */
function fallbackSteps(s: ContainmentStatus): FallbackStep[] {
  return s.evidence
    .filter((e): e is EvidenceEvent => DETOUR_KINDS.has(e.kind))
    .map((e) => ({ ...(e.credentialId ? { credentialId: e.credentialId } : {}), step: e.kind, outcome: detourOutcome(e), detail: evidenceText(e), at: e.at }));
}

function detourOutcome(e: EvidenceEvent): string {
  if (e.kind === 'fallback_rung') return `${e.rung}: ${e.result}`;
  if (e.kind === 're_revoked') return `attempt ${e.attempt}: ${e.result}`;
  return e.kind.endsWith('fail_closed') ? 'fail closed' : 'not possible';
}

export function gradeDrill(
  s: ContainmentStatus,
  drill: Pick<DrillDefinition, 'name' | 'description' | 'targets'>,
  options: { now?: number } = {},
): DrillReport {
  const targets = drill.targets;
  const credentials = gradeCredentials(s, targets);
  const approvals = approvalWaits(s, options.now ?? Date.now());
  const broken = brokenConsumers(s);
  const fallbacks = fallbackSteps(s);
  const checks: DrillCheck[] = [];
  const check = (c: DrillCheck) => checks.push(c);

  check({ id: 'finished', description: 'the containment finished', ok: s.outcome !== 'running', actual: s.outcome, limit: 'not running' });
  for (const r of s.scope) {
    check({ id: `identified:${r.ref}`, description: `identify found live credentials for ${r.ref}`, ok: r.credentials.length > 0, actual: `${r.credentials.length} found`, limit: '≥ 1' });
  }
  if (s.scope.length === 0) check({ id: 'identified', description: 'identify ran', ok: false, actual: 'no scope report', limit: 'a scope report per ref' });
  for (const e of [...targets.expectNotContained, ...targets.expectCutOff]) {
    const hit = credentials.some((c) => c.credentialId.includes(e.match));
    check({ id: `expectation:${e.match}`, description: `the drill's known provider limit matches a credential (${e.match})`, ok: hit, actual: hit ? 'matched' : 'no such credential', limit: 'matched' });
  }

  const revokeLimit = durationMs(targets.revokeWithin);
  const containLimit = durationMs(targets.containWithin);
  for (const c of credentials) {
    const stateOk = c.finalState === c.expected;
    check({
      id: `state:${c.credentialId}`,
      credentialId: c.credentialId,
      description:
        c.expected === 'verified_dead'
          ? `${c.label} is verified dead`
          : c.expected === 'cut_off'
            ? `${c.label} is cut off from the tenant and reported so, not as dead (${c.expectedReason})`
            : `${c.label} is reported not contained, never silently contained (${c.expectedReason})`,
      ok: stateOk,
      actual: c.finalState,
      limit: c.expected,
    });
    check({
      id: `revoke:${c.credentialId}`,
      credentialId: c.credentialId,
      description: `time to revoke ${c.label}`,
      ok: c.timeToRevokeMs !== undefined && c.timeToRevokeMs <= revokeLimit,
      actual: c.timeToRevokeMs !== undefined ? formatMs(c.timeToRevokeMs) : 'never revoked',
      limit: `≤ ${targets.revokeWithin}`,
    });
    if (c.expected === 'verified_dead') {
      check({
        id: `contain:${c.credentialId}`,
        credentialId: c.credentialId,
        description: `time to verified dead for ${c.label}`,
        ok: c.timeToVerifiedDeadMs !== undefined && c.timeToVerifiedDeadMs <= containLimit,
        actual: c.timeToVerifiedDeadMs !== undefined ? formatMs(c.timeToVerifiedDeadMs) : 'not verified dead',
        limit: `≤ ${targets.containWithin}`,
      });
    }
  }
  if (targets.maxApprovalWait) {
    const limit = durationMs(targets.maxApprovalWait);
    for (const a of approvals) {
      check({ id: `approval:${a.stage}`, description: `approval wait for ${a.stage}`, ok: a.outcome !== 'undecided' && a.waitMs <= limit, actual: `${formatMs(a.waitMs)} (${a.outcome})`, limit: `≤ ${targets.maxApprovalWait}` });
    }
  }
  if (targets.maxFallbackSteps !== undefined) {
    const expectedDead = new Set(credentials.filter((c) => c.expected === 'verified_dead').map((c) => c.credentialId));
    const used = fallbacks.filter((f) => FALLBACK_KINDS.has(f.step) && f.credentialId !== undefined && expectedDead.has(f.credentialId)).length;
    check({ id: 'fallbacks', description: 're-revokes and fallback rungs on credentials expected to be contained', ok: used <= targets.maxFallbackSteps, actual: String(used), limit: `≤ ${targets.maxFallbackSteps}` });
  }
  if (targets.maxBrokenConsumers !== undefined) {
    check({ id: 'broken-consumers', description: 'consumers left without a replacement', ok: broken.length <= targets.maxBrokenConsumers, actual: String(broken.length), limit: `≤ ${targets.maxBrokenConsumers}` });
  }

  return {
    kind: 'cordon.drill-report',
    version: 1,
    drill: drill.name,
    description: drill.description,
    mode: s.mode,
    workflowId: s.workflowId,
    incidentId: s.incidentId,
    startedAt: s.startedAt,
    ...(s.finishedAt ? { finishedAt: s.finishedAt, durationMs: Date.parse(s.finishedAt) - Date.parse(s.startedAt) } : {}),
    outcome: s.outcome,
    ...(s.outcomeReason ? { outcomeReason: s.outcomeReason } : {}),
    verdict: checks.every((c) => c.ok) ? 'pass' : 'fail',
    targets,
    checks,
    credentials,
    approvals,
    brokenConsumers: broken,
    fallbackSteps: fallbacks,
    ...(s.plan ? { planDigest: s.plan.digest } : {}),
    ...(s.evidenceDigest ? { evidenceSeal: evidenceSummary(s) } : {}),
  };
}

// From findings to a verdict: the score, severity, recommended action, and how findings merge into reasons
// (docs/drift-watch.md, "Verdicts").
import { createHash } from 'node:crypto';
import type { AuditProvider } from '../schemas/token-use.ts';
import { type RecommendedAction, type SignalName, type TriggerCategory, Verdict, type VerdictReason, type VerdictSeverity, type WatchPolicy } from '../schemas/verdict.ts';
import type { PendingReason } from './baseline.ts';

/** Findings below the threshold add up for this long; older ones are dropped. */
export const PENDING_WINDOW_MS = 24 * 3_600_000;
const MAX_EVENT_IDS = 50;
const MAX_REASONS = 40;

/**
 * Independent evidence combined as a noisy OR over each signal's strongest finding:
 * score = 100 × (1 − Π(1 − wᵢ/100)). Two weak findings (25 + 25 → 44) stay below the default threshold of 50;
 * a weak one with a strong one crosses it (25 + 40 → 55).
 */
export function combineScore(reasons: readonly { signal: SignalName; weight: number }[]): number {
  const strongest = new Map<SignalName, number>();
  for (const r of reasons) strongest.set(r.signal, Math.max(strongest.get(r.signal) ?? 0, r.weight));
  let miss = 1;
  for (const w of strongest.values()) miss *= 1 - Math.min(100, w) / 100;
  return Math.round(100 * (1 - miss));
}

export function severityOf(score: number, threshold: number): VerdictSeverity {
  if (score >= 85) return 'critical';
  if (score >= 70) return 'high';
  if (score >= threshold) return 'medium';
  return 'low';
}

/** The triggers that may start a direct containment when the policy allows it. */
function unambiguous(r: { signal: SignalName; subject: string }): boolean {
  return r.signal === 'use_after_revocation' || (r.signal === 'use_after_lifecycle' && (r.subject === 'offboarded' || r.subject === 'suspended'));
}

export function actionOf(reasons: readonly VerdictReason[], score: number, policy: WatchPolicy): RecommendedAction {
  if (score < policy.threshold) return 'none';
  return policy.directContainment && reasons.some(unambiguous) ? 'direct' : 'staged';
}

export function reasonKey(r: { signal: SignalName; subject: string }): string {
  return `${r.signal}|${r.subject}`;
}

/** Adds a finding to pending findings (same signal and subject: merged), dropping those older than the window. */
export function addPending(pending: PendingReason[], hit: PendingReason, now: number): PendingReason[] {
  const kept = pending.filter((p) => now - p.lastAt <= PENDING_WINDOW_MS);
  const same = kept.find((p) => reasonKey(p) === reasonKey(hit));
  if (!same) return [...kept, hit];
  same.text = hit.text;
  same.weight = Math.max(same.weight, hit.weight);
  same.firstAt = Math.min(same.firstAt, hit.firstAt);
  same.lastAt = Math.max(same.lastAt, hit.lastAt);
  for (const id of hit.eventIds) if (same.eventIds.length < MAX_EVENT_IDS && !same.eventIds.includes(id)) same.eventIds.push(id);
  if (hit.learn) same.learn = hit.learn;
  return kept;
}

function toReason(p: PendingReason): VerdictReason {
  const r: VerdictReason = {
    signal: p.signal,
    category: p.category,
    subject: p.subject,
    text: p.text,
    eventIds: p.eventIds.slice(0, MAX_EVENT_IDS),
    weight: p.weight,
    firstAt: new Date(p.firstAt).toISOString(),
    lastAt: new Date(p.lastAt).toISOString(),
  };
  if (p.learn) r.learn = p.learn;
  return r;
}

function triggersOf(reasons: readonly VerdictReason[]): TriggerCategory[] {
  return [...new Set(reasons.map((r) => r.category))];
}

export interface TokenIdentity {
  tokenKey: string;
  provider: AuditProvider;
  principal: string;
  app?: string;
}

/** Opens a verdict from findings (the caller checked the score against the threshold). */
export function openVerdict(token: TokenIdentity, findings: readonly PendingReason[], policy: WatchPolicy, now: Date): Verdict {
  const reasons = findings.map(toReason);
  const score = combineScore(reasons);
  const firstAt = Math.min(...findings.map((f) => f.firstAt));
  const id = `vd_${createHash('sha256').update(`${token.tokenKey}\n${firstAt}\n${findings.map((f) => f.eventIds[0]).join(',')}`).digest('hex').slice(0, 20)}`;
  const verdict: Verdict = {
    id,
    tokenKey: token.tokenKey,
    provider: token.provider,
    principal: token.principal,
    status: 'open',
    score,
    severity: severityOf(score, policy.threshold),
    triggers: triggersOf(reasons),
    reasons: reasons.slice(0, MAX_REASONS),
    action: actionOf(reasons, score, policy),
    openedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  if (token.app) verdict.app = token.app;
  return Verdict.parse(verdict);
}

/** Merges new findings into an open verdict: the same verdict, updated, never a second one. */
export function updateVerdict(verdict: Verdict, findings: readonly PendingReason[], policy: WatchPolicy, now: Date): Verdict {
  const reasons = verdict.reasons.map((r) => ({ ...r, eventIds: [...r.eventIds] }));
  for (const f of findings) {
    const incoming = toReason(f);
    const same = reasons.find((r) => reasonKey(r) === reasonKey(incoming));
    if (same) {
      same.text = incoming.text;
      same.weight = Math.max(same.weight, incoming.weight);
      if (incoming.firstAt < same.firstAt) same.firstAt = incoming.firstAt;
      if (incoming.lastAt > same.lastAt) same.lastAt = incoming.lastAt;
      for (const id of incoming.eventIds) if (same.eventIds.length < MAX_EVENT_IDS && !same.eventIds.includes(id)) same.eventIds.push(id);
    } else if (reasons.length < MAX_REASONS) reasons.push(incoming);
  }
  const score = Math.max(verdict.score, combineScore(reasons));
  return Verdict.parse({
    ...verdict,
    reasons,
    score,
    severity: severityOf(score, policy.threshold),
    triggers: triggersOf(reasons),
    action: actionOf(reasons, score, policy),
    updatedAt: now.toISOString(),
  });
}

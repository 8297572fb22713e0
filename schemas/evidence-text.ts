// The one place evidence becomes words. Every reader (CLI, reports, Slack, the API's `text`) shows
// these sentences, and none decides anything from them: decisions read the typed fields.
import type { EvidenceEntry, EvidenceEvent, EvidenceOf, EvidenceSeal, EvidenceSummary } from './evidence.ts';

const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const short = (digest: string) => digest.slice(0, 12);
const done = (r: 'done' | 'already_done', yes: string, already: string) => (r === 'done' ? yes : already);

type Authenticated = EvidenceOf<'approval_decided'> | EvidenceOf<'approval_refused'> | EvidenceOf<'cancel_requested'>;

/** How the person was authenticated, in words (docs/trust-model.md). */
export function authenticationText(e: Pick<Authenticated, 'channel' | 'authenticatedBy' | 'identity' | 'claimedChannel' | 'envelopeRefused'>): string {
  const id = e.identity;
  switch (id?.authenticatedBy) {
    case 'slack_signature':
      return `${id.slackTransport === 'socket_mode' ? 'Slack (Socket Mode connection)' : 'signed Slack request'}, user ${id.slackUserId}${id.slackTeamId ? ` in ${id.slackTeamId}` : ''}`;
    case 'api_key':
      return `API key ${id.apiKeyName}, principal ${id.principal}`;
    case 'cli':
      return `CLI, ${id.source === 'operator_id' ? 'operator id' : 'OS user'} ${id.user}`;
    default:
      if (e.authenticatedBy !== 'unauthenticated') return 'authentication not recorded';
      return `UNAUTHENTICATED Temporal-direct call${e.claimedChannel ? `, claimed ${e.claimedChannel} without proof` : ''}${e.envelopeRefused ? `; envelope refused: ${e.envelopeRefused}` : ''}`;
  }
}

/** `via <channel> (<authentication>)`; events from before authenticated channels name the channel only. */
function viaText(e: Authenticated): string {
  return e.authenticatedBy ? `via ${e.channel} (${authenticationText(e)})` : `via ${e.channel}`;
}

/** One sentence for one event (no time, no sequence number: callers add what their layout needs). */
export function evidenceText(e: EvidenceEntry): string {
  switch (e.kind) {
    case 'legacy':
      return `${e.step}: ${e.outcome}${e.detail ? ` — ${e.detail}` : ''}`;
    case 'started':
      return `containment started by ${e.actor}: ${plural(e.credentialRefs, 'credential ref')}, mode ${e.mode}, severity ${e.severity}${e.breakGlass ? ', break-glass' : ''}${e.retryOf ? `, retry of ${e.retryOf}` : ''}`;
    case 'identified':
      return `identified ${plural(e.live, 'live credential')} for ${e.ref}${e.riskFlags.length ? `; risks: ${e.riskFlags.join('; ')}` : ''}${e.blindSpots.length ? `; cannot see: ${e.blindSpots.join('; ')}` : ''}`;
    case 'enriched': {
      const details = e.credentials.map((c) => `${c.label} (owner ${c.principal}, ${c.principalStatus}; ${c.lastUsedAt ? `last used ${c.lastUsedAt}` : 'no use on record'})`);
      return `details read after the revoke for ${e.ref}${e.failed ? `: could not be read (${e.failed})` : `: ${details.join('; ')}`}${e.riskFlags.length ? `; risks: ${e.riskFlags.join('; ')}` : ''}${e.blindSpots.length ? `; cannot see: ${e.blindSpots.join('; ')}` : ''}`;
    }
    case 'planned':
      return `plan ${short(e.digest)}: ${plural(e.actions, 'action')}, ${plural(e.waves, 'wave')}; re-authentication ends ${plural(e.reauthEnds, 'other credential')} with ${plural(e.reauthConsumers, 'consumer')} to re-supply, leaves ${e.leftAlone} alone`;
    case 'approval_requested':
      return `approval ${e.stage} requested (quorum ${e.quorum}, plan ${short(e.digest)}): ${e.description}`;
    case 'approval_decided':
      return `approval ${e.stage} ${e.decision} by ${e.approver} ${viaText(e)} (${e.approvals}/${e.quorum})${e.reason ? `: ${e.reason}` : ''}`;
    case 'approval_refused':
      return `approval ${e.stage || '(no stage)'}: decision by ${e.approver} ${viaText(e)} refused: ${e.reason}`;
    case 'approval_escalated':
      return `approval ${e.stage} escalated: no decision after ${e.after}`;
    case 'approval_defaulted':
      return `approval ${e.stage}: no decision in time; the ${e.severity}-severity policy says ${e.onTimeout}`;
    case 'approval_deadline':
      return `approval ${e.stage}: the staged deadline (${e.deadline}) passed without a decision`;
    case 'approval_fail_closed':
      return `approval ${e.stage}: fail closed, the containment goes ahead (${e.reason})`;
    case 'staged_fail_closed':
      return `${e.credentialId}: fail closed at ${e.stage}, revoked now (${e.cause === 'rejected' ? `rejected by ${list(e.rejectedBy)}` : 'staged deadline passed'})`;
    case 'restricted':
      return `${e.credentialId} ${done(e.result, 'restricted', 'already restricted')} (${e.restriction}), approved by ${list(e.approvers)}${e.detail ? `: ${e.detail}` : ''}${e.undo ? `; to undo: ${e.undo}` : ''}`;
    case 'restriction_not_possible':
      return `${e.credentialId}: no restriction possible, the waves go on without one (${e.reason})`;
    case 'unrestricted':
      return `${e.credentialId}: restriction ${done(e.result, 'undone', 'already undone')} (${e.undo})`;
    case 'unrestrict_failed':
      return `${e.credentialId}: restriction NOT undone, do it BY HAND: ${e.undo} (${e.reason})`;
    case 'revoked':
      return `${e.credentialId} ${e.method === 'by_value' ? 'revoked by value' : done(e.result, 'revoked', 'already gone')}${e.detail ? `: ${e.detail}` : ''}`;
    case 'revoke_by_value_not_possible':
      return `${e.credentialId}: revocation by value not possible (${e.reason})`;
    case 'replaced':
      return `${e.credentialId}: replacement ${e.replacementId} issued for ${e.consumerId} → ${e.sink} (fp ${e.fingerprint})${e.context ? `; ${e.context}` : ''}${e.note ? `; ${e.note}` : ''}`;
    case 'replacement_owned_elsewhere':
      return `${e.credentialId}: ${e.consumerId}'s replacement ${e.replacementId ? `${e.replacementId} already issued` : 'being issued'} by containment ${e.ownedBy}`;
    case 'replacement_not_possible':
      return `${e.credentialId}: no replacement for ${e.consumerId}, it must re-authorize (${e.reason})`;
    case 'reauthenticated':
      return `${e.provider} ${e.principalId} ${done(e.result, 're-authenticated', 'already re-authenticated')}: ${plural(e.ended, 'planned credential')} ended${e.detail ? `; ${e.detail}` : ''}`;
    case 'reauth_not_possible':
      return `${e.provider} ${e.principalId}: re-authentication ${e.cause === 'refused' ? 'refused' : 'not possible'} (${e.reason})`;
    case 'verified':
      return `${e.credentialId} verified ${e.verdict}: ${e.stillActive ? 'still listed as active' : 'not listed'}, ${e.unexpectedActive.length} unexpected active, probe ${e.probe}`;
    case 'unplanned_left_alone':
      return `${e.credentialId}: unplanned credentials left alone (same principal and app, not issued by Cordon, not in this plan; review them): ${list(e.unplanned)}`;
    case 're_revoked':
      return `${e.credentialId} re-revoked (attempt ${e.attempt} for ${e.of}): ${done(e.result, 'revoked', 'already gone')}`;
    case 'fallback_rung':
      return `${e.credentialId}: fallback ${e.rung} ${e.result === 'not_possible' ? 'not possible' : done(e.result, 'done', 'already done')}${e.detail ? ` (${e.detail})` : ''}`;
    case 'cut_off':
      return `${e.credentialId} cut off in the tenant; its owner must act: ${e.ownerAction}`;
    case 'stopped':
      return `${e.credentialId}: containment stopped by a permanent refusal (${e.failureType}: ${e.reason})`;
    case 'waiting_escalated':
      return `still waiting on ${e.what}: failing since ${e.since} (${plural(e.attempts, 'round')}); last: ${e.lastError}`;
    case 'cancel_requested':
      return `cancel requested by ${e.actor} ${viaText(e)}${e.reason ? `: ${e.reason}` : ''}`;
    case 'signal_ignored':
      return `signal ${e.signal} ignored: ${e.reason}`;
    case 'notification_failed':
      return `notification ${e.notification} failed: ${e.reason}`;
    case 'registry_note':
      return `replacement registry: claims not released (${e.reason})`;
    case 'finished':
      return `finished: ${e.outcome}${e.reason ? ` — ${e.reason}` : ''}`;
  }
}

/** A short name for an event's kind in tables (`approval decided`, `revoked`…). */
export function evidenceLabel(e: EvidenceEntry): string {
  return e.kind === 'legacy' ? e.step : e.kind.replaceAll('_', ' ');
}

export type ApprovalEvent = Extract<EvidenceEvent, { kind: `approval_${string}` }>;

/** The approval events (requested, decided, refused, escalated, defaulted, deadline, fail closed) of one stage, in order. */
export function approvalEvents(evidence: readonly EvidenceEntry[], stage: string): ApprovalEvent[] {
  return evidence.filter((e): e is ApprovalEvent => e.kind.startsWith('approval_') && (e as ApprovalEvent).stage === stage);
}

/** The chain summary of a run (undefined for runs from before the chain). */
export function evidenceSummary(s: { evidence: readonly EvidenceEntry[]; evidenceDigest?: string | undefined; seal?: EvidenceSeal | undefined }): EvidenceSummary | undefined {
  if (!s.evidenceDigest) return undefined;
  const seal = s.seal;
  return { digest: s.evidenceDigest, events: s.evidence.length, signed: seal?.signed === true, ...(seal?.signed ? { keyId: seal.keyId } : seal ? { unsignedReason: seal.reason } : {}) };
}

/** `evidence digest <sha256> (n events), signed by key <id>` — or unsigned with why, or not sealed yet. */
export function evidenceSummaryText(e: EvidenceSummary | undefined): string {
  if (!e) return 'evidence: no chain (recorded before evidence was chained)';
  const state = e.signed ? `signed by key ${e.keyId}` : e.unsignedReason ? `UNSIGNED: ${e.unsignedReason}` : 'not sealed yet (the seal is the run’s last step: `cordon evidence <id>` shows it once the run has completed)';
  return `evidence digest ${e.digest} (${plural(e.events, 'event')}), ${state}`;
}

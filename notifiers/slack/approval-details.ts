// The facts an approval message shows, from a notification (worker side) or the status (app side).
import type { Notification } from '../notifier.ts';
import type { ContainmentStatus, PendingApproval } from '../../schemas/containment.ts';
import type { ApprovalDetails } from './blocks/approval.ts';

function consumerNames(status: ContainmentStatus | undefined, ids: readonly string[]): { id: string; name?: string }[] {
  const all = status?.plan?.credentials.flatMap((c) => c.consumers) ?? [];
  return ids.map((id) => {
    const name = all.find((c) => c.id === id)?.name;
    return name ? { id, name } : { id };
  });
}

/** From an approval_needed / escalation notification; `status` only adds consumer names and approvals so far. */
export function detailsFromNotification(n: Notification, status?: ContainmentStatus): ApprovalDetails | undefined {
  if (!n.stage || !n.digest) return undefined;
  const pending = status?.pendingApprovals.find((p) => p.stage === n.stage);
  const a = n.approval ?? (pending ? { description: pending.description, credentialIds: pending.credentialIds, consumerIds: pending.consumerIds, wave: pending.wave, quorum: pending.quorum } : undefined);
  if (!a) return undefined;
  return {
    workflowId: n.workflowId,
    incidentId: n.incidentId,
    stage: n.stage,
    digest: n.digest,
    description: a.description,
    credentialIds: a.credentialIds,
    consumers: consumerNames(status, a.consumerIds),
    wave: a.wave,
    quorum: a.quorum,
    approvals: pending?.approvals ?? [],
    ...(n.kind === 'escalation' || pending?.escalated ? { escalated: true } : {}),
  };
}

export function detailsFromPending(status: ContainmentStatus, p: PendingApproval): ApprovalDetails {
  return {
    workflowId: status.workflowId,
    incidentId: status.incidentId,
    stage: p.stage,
    digest: p.digest,
    description: p.description,
    credentialIds: p.credentialIds,
    consumers: consumerNames(status, p.consumerIds),
    wave: p.wave,
    quorum: p.quorum,
    approvals: p.approvals,
    ...(p.escalated ? { escalated: true } : {}),
  };
}

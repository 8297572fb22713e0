// What the status message's header shows about the request, from the input (at start) or, when the
// app did not start the run itself (restart, worker side), from the status and its `start` evidence.
import type { ContainmentInput, ContainmentStatus } from '../../schemas/containment.ts';
import { describeRef } from '../../schemas/credential.ts';
import type { ThreadRequest } from './blocks/containment-thread.ts';

export function threadRequestFromInput(input: ContainmentInput, workflowId: string): ThreadRequest {
  return { incidentId: input.incidentId, requester: input.requester, mode: input.mode, severity: input.severity, refs: input.credentials.map(describeRef), workflowId, ...(input.breakGlass ? { breakGlass: true } : {}), ...(input.retryOf ? { retryOf: input.retryOf } : {}) };
}

export function threadRequestFromStatus(status: ContainmentStatus): ThreadRequest {
  const start = status.evidence.find((e) => e.kind === 'started');
  return {
    incidentId: status.incidentId,
    requester: start?.actor ?? 'unknown',
    mode: status.mode,
    severity: start?.kind === 'started' ? start.severity : 'unknown',
    refs: status.scope.length ? status.scope.map((s) => s.ref) : ['(identifying)'],
    workflowId: status.workflowId,
    ...(start?.kind === 'started' && start.breakGlass ? { breakGlass: true } : {}),
    ...(start?.kind === 'started' && start.retryOf ? { retryOf: start.retryOf } : {}),
  };
}

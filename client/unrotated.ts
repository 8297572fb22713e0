// The hygiene flag "unrotated since incident X" (docs/rotation.md): the incidents come from Cordon's own history —
// every finished `containCredential` run on this task queue, read from Temporal visibility and the run's result —
// and the credentials from a hygiene sweep now. One-step rotation of a flagged credential is `rotateFlagged`.
import type { Client } from '@temporalio/client';
import { ContainmentStatus } from '../schemas/containment.ts';
import type { Provider } from '../schemas/credential.ts';
import { flagUnrotated, oneStepPolicy, type PastIncident, type RotationPolicy, type UnrotatedList } from '../schemas/rotation.ts';
import { runInventory } from './sweeps.ts';
import { startRotation } from './rotation.ts';

/** Outcomes that were no incident: an approver rejected the containment. */
const NOT_AN_INCIDENT = new Set(['rejected', 'running']);

export async function pastIncidents(client: Client, taskQueue: string): Promise<PastIncident[]> {
  const out: PastIncident[] = [];
  const query = `WorkflowType = 'containCredential' AND ExecutionStatus = 'Completed' AND TaskQueue = '${taskQueue.replace(/'/g, '')}'`;
  for await (const w of client.workflow.list({ query })) {
    const parsed = ContainmentStatus.safeParse(await client.workflow.getHandle(w.workflowId, w.runId).result());
    if (!parsed.success || NOT_AN_INCIDENT.has(parsed.data.outcome)) continue;
    const s = parsed.data;
    const principals = new Map<string, { provider: Provider; id: string }>();
    const apps = new Map<string, { provider: Provider; clientId: string }>();
    for (const report of s.scope) {
      for (const c of report.credentials) {
        principals.set(`${c.provider}:${c.principal.id}`, { provider: c.provider, id: c.principal.id });
        if (c.clientId) apps.set(`${c.provider}:${c.clientId}`, { provider: c.provider, clientId: c.clientId });
      }
      for (const sa of report.relatedServiceAccounts) principals.set(`${report.provider}:${sa.id}`, { provider: report.provider, id: sa.id });
    }
    out.push({ incidentId: s.incidentId, workflowId: s.workflowId, startedAt: s.startedAt, outcome: s.outcome, principals: [...principals.values()], apps: [...apps.values()] });
  }
  return out;
}

/** `cordon rotate unrotated`: the flag over a sweep of every configured provider now. */
export async function findUnrotated(client: Client, taskQueue: string): Promise<UnrotatedList> {
  const incidents = await pastIncidents(client, taskQueue);
  if (!incidents.length) return { incidents, flags: [], unknownAge: [] };
  const providers = [...new Set(incidents.flatMap((i) => [...i.principals, ...i.apps].map((x) => x.provider)))].filter((p) => p !== 'memory');
  const { report } = await runInventory(client, taskQueue, { input: { providers } });
  const { flags, unknownAge } = flagUnrotated(incidents, report.rows.map((r) => r.credential));
  return { incidents, flags, unknownAge: unknownAge.map((u) => ({ credentialId: `${u.credential.provider}:${u.credential.id}`, label: u.credential.label, incidentId: u.incidentId })) };
}

/** One step: rotate one flagged credential (its key `provider:id`) now, under `policy` or the one-step default. */
export function rotateFlagged(client: Client, taskQueue: string, credentialKey: string, options: { policy?: RotationPolicy; requester?: string } = {}) {
  const provider = credentialKey.slice(0, credentialKey.indexOf(':')) as Provider;
  const policy = options.policy ?? oneStepPolicy(provider);
  return startRotation(client, taskQueue, { policies: [policy], only: [credentialKey], ...(options.requester ? { requester: options.requester } : {}) });
}

// `npm run demo`: a full containment against the embedded local tenant, with a readable report.
// Starts the Temporal dev server, the tenant and a worker; contains the stolen Drift integration
// token (modelled on the Salesloft/Drift breach); prints progress, then the report; stops.
import { join } from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { getStatus, startContainment } from '../client/containments.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../connectors/memory/seeds.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import { renderReport } from './report.ts';
import { startLocalStack } from './local-stack.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });
const color = process.stdout.isTTY;
const say = (text: string) => process.stdout.write(`${text}\n`);

say('Cordon demo: containing a stolen integration token on the local tenant');
say('Starting the Temporal dev server (first run builds the temporal CLI: several minutes)…');
const stack = await startLocalStack({ stateDir: join(process.cwd(), '.cordon', 'demo'), seed: driftSeed(), headless: false });
say(`  Temporal ${stack.server.address} · namespace ${stack.server.namespace} · web UI ${stack.server.uiUrl}`);
let exitCode = 0;
try {
  const incidentId = `DEMO-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}`;
  const { workflowId } = await startContainment(stack.client, stack.target.taskQueue, {
    incidentId,
    requester: 'demo@cordon.local',
    severity: 'critical',
    reason: 'Drift integration token seen in an attacker-controlled export (demo)',
    credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }],
  });
  say(`Started ${workflowId}`);
  const seen = new Set<string>();
  let status: ContainmentStatus;
  for (;;) {
    status = await getStatus(stack.client, workflowId);
    for (const p of status.credentials) {
      for (const t of p.transitions) {
        const key = `${p.credentialId}:${t.state}`;
        if (!seen.has(key)) {
          seen.add(key);
          say(`  ${t.at.slice(11, 23)}  ${p.label}: ${t.state}`);
        }
      }
    }
    if (status.outcome !== 'running') break;
    await new Promise((r) => setTimeout(r, 150));
  }
  status = (await stack.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
  say('');
  say(renderReport(status, { color }));
  // I1 as the provider saw it: every replacement came after the acknowledged revocation.
  const calls = stack.tenant.calls();
  const revoked = calls.find((c) => c.op === 'revoke' && c.outcome === 'revoked');
  const issued = calls.filter((c) => c.op === 'issue' && c.outcome === 'issued');
  const ordered = revoked !== undefined && issued.every((c) => c.seq > revoked.seq);
  say('');
  say(`Provider call log: revoke #${revoked?.seq ?? '-'} before replacements #${issued.map((c) => c.seq).join(', #')}: ${ordered ? 'yes' : 'NO'}`);
  say(`Replacements are sealed in ${join('.cordon', 'demo', 'credentials')}; history holds only fingerprints.`);
  exitCode = status.outcome === 'contained' && ordered ? 0 : 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);

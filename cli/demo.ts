// `npm run demo`: a full containment against the embedded local tenant, with a readable report.
// Starts the Temporal dev server, the four provider emulators seeded with the Salesloft/Drift
// scenario, and a worker running the real connectors (googleapis, jsforce, @slack/web-api,
// @octokit/rest) against them; contains the stolen Drift credentials in Salesforce, Google Workspace
// and Slack; prints progress, the report, and each provider's own call log as proof of order.
import { join } from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { containmentResult, followContainment, startContainment } from '../client/containments.ts';
import type { CallRecord } from '@cordon/emulators';
import { renderReport } from './report.ts';
import { startLocalStack, stopOnSignals } from './local-stack.ts';

// Expected failures (a replacement a provider cannot mint) are in the report; the SDK need not shout them.
// No shutdown signals for the SDK: stopOnSignals below stops the worker, then the rest, once.
Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
const color = process.stdout.isTTY;
const say = (text: string) => process.stdout.write(`${text}\n`);

/** What the responder knows after the Salesloft/Drift disclosure (emulators/scenarios/salesloft-drift). */
const DRIFT_REFS = [
  // The Drift integration user's OAuth grant in Salesforce, shared by three consumers.
  { provider: 'salesforce', kind: 'refresh_token', clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com' },
  // The same vendor app's Google Workspace grant for the integration account.
  { provider: 'google', kind: 'oauth_grant', clientId: '482715630127-drift9c1kq2.apps.googleusercontent.com', user: 'drift-integration@acme.example' },
  // The Drift bot token in Slack, whose value was in the stolen data.
  { provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-emulated-drift-bot-acme-main-0001' },
] as const;

/** Calls that revoke, and calls that mint a replacement, per provider (for the order check). */
const REVOKES = ['oauth2.revokeToken', 'tokens.delete', 'auth.revoke', 'projects.serviceAccounts.keys.delete', 'repos.deleteDeployKey'];

say('Cordon demo: containing the stolen Drift credentials (modelled on the Salesloft/Drift breach)');
say('Starting the Temporal dev server (the first run builds the temporal CLI: several minutes), the local tenant and a worker…');
const stack = await startLocalStack({ stateDir: join(process.cwd(), '.cordon', 'demo'), scenario: 'salesloft-drift', headless: false });
// Ctrl-C (or the parent going away) stops everything the demo started, then exits 130 (143 for SIGTERM).
stopOnSignals(() => stack.stop(), { say, exitCode: (signal) => (signal === 'SIGTERM' ? 143 : 130) });
say(`  Temporal ${stack.server.address} · namespace ${stack.server.namespace} · web UI ${stack.server.uiUrl}`);
for (const [p, url] of Object.entries(stack.tenant.urls)) say(`  ${p.padEnd(10)} emulator ${url}`);
let exitCode = 0;
try {
  const incidentId = `DEMO-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}`;
  const { workflowId } = await startContainment(stack.client, stack.target.taskQueue, {
    incidentId,
    requester: 'demo-responder@acme.example',
    severity: 'critical',
    reason: 'Drift tokens exfiltrated from the vendor (demo)',
    credentials: DRIFT_REFS.map((r) => ({ ...r })),
  }, { requestEagerStart: true });
  say(`Started ${workflowId}`);
  const seen = new Set<string>();
  await followContainment(stack.client, workflowId, (status) => {
    for (const p of status.credentials)
      for (const t of p.transitions) {
        const key = `${p.credentialId}:${t.state}`;
        if (seen.has(key)) continue;
        seen.add(key);
        say(`  ${t.at.slice(11, 23)}  ${p.provider.padEnd(10)} ${p.label}: ${t.state}`);
      }
  }, 150);
  const status = await containmentResult(stack.client, workflowId);
  say('');
  say(renderReport(status, { color }));

  // I1 as each provider saw it: no replacement was minted before that provider acknowledged a revocation.
  say('');
  say('Provider call logs (the emulators’ own record, in global order)');
  const calls = stack.tenant.calls();
  let ordered = true;
  for (const provider of ['salesforce', 'google', 'slack'] as const) {
    const mine = calls.filter((c) => c.provider === provider && c.operation !== 'unknown');
    const revoke = mine.find((c) => REVOKES.includes(c.operation) && c.status < 400);
    const mints = mintsOf(provider, mine);
    const ok = mints.every((m) => revoke !== undefined && m.seq > revoke.seq);
    ordered &&= ok;
    say(`  ${provider.padEnd(10)} ${mine.length} calls · first revoke #${revoke?.seq ?? '-'} (${revoke?.operation ?? 'none'}) · replacements minted #${mints.map((m) => m.seq).join(', #') || '-'} · revoke before replace: ${ok ? 'yes' : 'NO'}`);
  }
  say(`Replacements are sealed in ${join('.cordon', 'demo', 'credentials')}; history holds only fingerprints.`);
  exitCode = status.outcome === 'contained' && ordered ? 0 : 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);

function mintsOf(provider: string, calls: CallRecord[]): CallRecord[] {
  // Salesforce mints a replacement as a JWT-bearer login *as the integration user* (Cordon's own login is as itself).
  if (provider === 'salesforce') return calls.filter((c) => c.operation === 'oauth2.requestToken' && c.status === 200 && c.target === '005Hs000003DrftAAA');
  if (provider === 'google') return calls.filter((c) => ['projects.serviceAccounts.keys.upload', 'projects.serviceAccounts.keys.create'].includes(c.operation) && c.status === 200);
  return [];
}

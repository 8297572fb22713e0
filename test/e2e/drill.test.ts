// Drills end to end: each shipped scenario's drill runs the whole runbook on the real dev server with
// a real worker and the REAL connectors against the local tenant, and passes its own targets;
// `--plan-only` touches nothing (checked on the emulators' own call log and state); the `cordon
// drill` command runs a full drill and writes its reports; the HTML report opens in headless
// Chromium and shows every credential on its timeline.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { buildPlan } from '../../activities/plan.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import { composeSink } from '../../worker/sink.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { type CallRecord, loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import { planOnly, type PlanOnlyResult } from '../../drills/plan-only.ts';
import { runDrill, type DrillRun } from '../../drills/run.ts';
import { SHIPPED_DRILLS } from '../../drills/scenarios.ts';
import { renderDrillHtml } from '../../reports/drill-html.ts';
import { DrillReport } from '../../schemas/drill.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';
import { launchChromium } from '../support/chromium.ts';

const DRILL_CLI = fileURLToPath(new URL('../../cli/drill.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

let tenant: LocalTenant | undefined;
let worker: RunningWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  await tenant?.close();
  worker = undefined;
  tenant = undefined;
});

async function drillOf(name: string): Promise<DrillRun> {
  const drill = SHIPPED_DRILLS.get(name)!;
  tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir(name)) });
  const dir = await mkdtemp(join(tmpdir(), 'cordon-drill-'));
  const connectors = connectorsFromEnv(tenant.connectorEnv());
  worker = await startTestWorker({ connectors, sink: composeSink(new LocalEncryptedStore(dir, randomBytes(32)), connectors, join(dir, 'github-index')) });
  return runDrill({ client: worker.client, taskQueue: worker.target.taskQueue, drill });
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [DRILL_CLI, ...args], { env: { ...(process.env as Record<string, string>), ...env }, timeout: 150_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Reads, and the connectors' own auth-token calls: what identify may do to a real tenant. */
const READ_OPERATION = /(^|\.)(list\w*|get\w*|query\w*|checkToken|test|info|logs)$/;
const OWN_AUTH_OPERATION = new Set(['oauth2.token', 'oauth2.requestToken', 'apps.createInstallationAccessToken']);
const WRITE_WORD = /revoke|delete|create(?!InstallationAccessToken)|update|patch|signOut|reset|invalidate|disable|uninstall|restrict|freeze|suspend|generate|remove/i;

function assertReadOnly(calls: CallRecord[], cordonSalesforceUser: string | undefined): void {
  expect(calls.length).toBeGreaterThan(0);
  for (const c of calls) {
    const label = `${c.provider} ${c.method} ${c.path} (${c.operation})`;
    expect(READ_OPERATION.test(c.operation) || OWN_AUTH_OPERATION.has(c.operation), `not a read: ${label}`).toBe(true);
    if (!OWN_AUTH_OPERATION.has(c.operation)) expect(WRITE_WORD.test(c.operation), `write-like: ${label}`).toBe(false);
    // Salesforce mints replacements as JWT-bearer logins as the integration user: only Cordon's own login is allowed.
    if (c.provider === 'salesforce' && c.operation === 'oauth2.requestToken') expect(c.target, label).toBe(cordonSalesforceUser);
  }
}

/**
 * The tenant's state is what it was, except what Cordon's own Salesforce login leaves behind (a
 * session and a login-history row per JWT-bearer login as Cordon's user).
 */
function assertUntouched(before: ReturnType<LocalTenant['counts']>, after: ReturnType<LocalTenant['counts']>, calls: CallRecord[]): void {
  const ownLogins = calls.filter((c) => c.provider === 'salesforce' && c.operation === 'oauth2.requestToken' && c.status === 200).length;
  const { sessions: sb, auditEvents: ab, ...restBefore } = before.salesforce;
  const { sessions: sa, auditEvents: aa, ...restAfter } = after.salesforce;
  expect(restAfter).toEqual(restBefore);
  expect((sa ?? 0) - (sb ?? 0)).toBe(ownLogins);
  expect((aa ?? 0) - (ab ?? 0)).toBe(ownLogins);
  expect({ ...after, salesforce: undefined }).toEqual({ ...before, salesforce: undefined });
}

const reports = new Map<string, DrillReport>();
const runs = new Map<string, { status: DrillRun['status']; calls: CallRecord[]; driftRanges?: unknown }>();

describe('a drill of each shipped scenario passes its own targets against the local tenant', () => {
  for (const name of SHIPPED_DRILLS.keys()) {
    it(name, async () => {
      const { report, status } = await drillOf(name);
      const failed = report.checks.filter((c) => !c.ok);
      expect(failed, JSON.stringify({ failed, outcome: status.outcome, reason: status.outcomeReason }, null, 1)).toEqual([]);
      expect(report.verdict).toBe('pass');
      expect(DrillReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
      // Every credential identified is graded, each with its revocation time.
      expect(report.credentials.map((c) => c.credentialId).sort()).toEqual(status.credentials.map((c) => c.credentialId).sort());
      expect(report.credentials.length).toBeGreaterThanOrEqual(SHIPPED_DRILLS.get(name)!.refs.length);
      for (const c of report.credentials) expect(c.timeToRevokeMs, c.credentialId).toBeGreaterThan(0);
      reports.set(name, report);
      const sf = tenant!.emulators.salesforce as unknown as { profileLoginIpRanges(userId: string): unknown };
      runs.set(name, { status, calls: tenant!.calls(), ...(name === 'salesloft-drift' ? { driftRanges: sf.profileLoginIpRanges('005Hs000003DrftAAA') } : {}) });
    });
  }

  it('salesloft-drift: the shared grant is cut over in approved stages; consumers that cannot get a replacement are listed', () => {
    const r = reports.get('salesloft-drift')!;
    expect(r.mode).toBe('staged');
    expect(r.outcome).toBe('contained');
    expect(r.approvals.length).toBeGreaterThanOrEqual(3);
    for (const a of r.approvals) expect(a).toMatchObject({ outcome: 'approved', deciders: ['drill-approver-1'] });
    expect(r.credentials.every((c) => c.finalState === 'verified_dead')).toBe(true);
    const sf = r.credentials.find((c) => c.provider === 'salesforce')!;
    expect(sf.replacements).toBe(3);
    // The shared grant was narrowed to its consumers' egress before the first wave and the narrowing lifted
    // afterwards: in the evidence, and in Salesforce's own log (Metadata API calls around the mints and the revoke).
    const run = runs.get('salesloft-drift')!;
    const sfKey = run.status.credentials.find((c) => c.provider === 'salesforce')!.credentialId;
    const restrict = run.status.evidence.find((e) => e.kind === 'restricted' && e.credentialId === sfKey);
    expect(restrict).toMatchObject({ result: 'done', restriction: 'ip_allowlist', detail: expect.stringMatching(/192\.0\.2\.0/) });
    expect(run.status.evidence.find((e) => e.kind === 'unrestricted' && e.credentialId === sfKey)).toMatchObject({ result: 'done' });
    expect(run.status.restrictions).toMatchObject([{ credentialId: sfKey, undone: true }]);
    const metadata = run.calls.filter((c) => c.provider === 'salesforce' && c.operation === 'metadata' && c.status < 300);
    const mints = run.calls.filter((c) => c.operation === 'oauth2.requestToken' && c.target === '005Hs000003DrftAAA' && c.status === 200);
    const revoke = run.calls.find((c) => c.operation === 'oauth2.revokeToken' && c.status === 200)!;
    expect(mints.length).toBeGreaterThan(0);
    expect(metadata[0]!.seq).toBeLessThan(mints[0]!.seq);
    expect(metadata.at(-1)!.seq).toBeGreaterThan(revoke.seq);
    expect(run.driftRanges).toEqual([expect.objectContaining({ startAddress: '0.0.0.0', endAddress: '255.255.255.255' })]);
    // Google cannot re-issue a user's OAuth grant: its two consumers must re-authorize.
    expect(r.brokenConsumers.filter((b) => b.credentialId.startsWith('google:')).map((b) => b.consumerId).sort()).toEqual(['drift-chat-sync', 'drift-lead-router']);
  });

  it('circleci and cloudflare-okta: leaked GitHub tokens are verified dead; a PAT known only by id is reported cut off, never dead', () => {
    const circleci = reports.get('circleci')!;
    expect(circleci.outcome, circleci.outcomeReason).toBe('contained');
    for (const c of circleci.credentials) expect(c.finalState, c.credentialId).toBe('verified_dead');
    expect(circleci.credentials.find((c) => c.credentialId === 'github:pat:classic:7301')).toMatchObject({ finalState: 'verified_dead', expected: 'verified_dead' });
    // The CI bot's OAuth token: revoked by value, but GitHub cannot mint its pipelines a new one.
    expect(circleci.brokenConsumers.filter((b) => b.credentialId === 'github:oauth_token:7001').map((b) => b.consumerId).sort()).toEqual(['circleci-firmware', 'circleci-web-portal']);

    const okta = reports.get('cloudflare-okta')!;
    expect(okta.outcome, okta.outcomeReason).toBe('contained_in_tenant');
    expect(okta.outcomeReason).toContain('github:pat:classic:8003');
    expect(okta.credentials.find((c) => c.credentialId === 'github:pat:fine_grained:8001')).toMatchObject({ finalState: 'verified_dead' });
    expect(okta.credentials.find((c) => c.credentialId === 'github:pat:classic:8003')).toMatchObject({ finalState: 'cut_off', expected: 'cut_off' });
    for (const c of okta.credentials.filter((x) => x.credentialId !== 'github:pat:classic:8003')) expect(c.finalState, c.credentialId).toBe('verified_dead');
  });
});

describe('--plan-only makes no write call', () => {
  for (const name of SHIPPED_DRILLS.keys()) {
    it(`${name}: identify through the connectors, then the plan and digest; only reads and auth-token calls`, async () => {
      const drill = SHIPPED_DRILLS.get(name)!;
      const scenario = await loadScenarioDir(scenarioDir(name));
      tenant = await startLocalTenant({ scenario });
      const before = tenant.counts();
      const result = await planOnly({ connectors: connectorsFromEnv(tenant.connectorEnv()), drill });
      expect(result.refused).toBeUndefined();
      expect(result.plan!.digest).toBe(buildPlan({ mode: drill.mode, waveSize: drill.waveSize, reports: result.scope, reauth: result.plan!.reauth }).digest);
      expect(result.plan!.actions.filter((a) => a.step === 'revoke')).toHaveLength(result.plan!.credentials.length);
      assertReadOnly(tenant.calls(), scenario.salesforce?.cordon.userId);
      assertUntouched(before, tenant.counts(), tenant.calls());
    });
  }

  it('the command against a "real" tenant given by CORDON_* variables prints the plan and leaves it untouched', async () => {
    const scenario = await loadScenarioDir(scenarioDir('salesloft-drift'));
    tenant = await startLocalTenant({ scenario });
    const before = tenant.counts();
    const r = await runCli(['--scenario', 'salesloft-drift', '--plan-only', '--tenant', 'env', '--json'], tenant.connectorEnv());
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as PlanOnlyResult;
    expect(result.plan!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(result.scope.map((s) => s.provider)).toEqual(['salesforce', 'google', 'slack']);
    assertReadOnly(tenant.calls(), scenario.salesforce?.cordon.userId);
    assertUntouched(before, tenant.counts(), tenant.calls());
    // The leaked value given as a ref is never printed.
    expect(r.stdout).not.toContain('xoxb-emulated-drift-bot-acme-main-0001');
  });

  it('drills a scenario directory with its own drill.json (plan only, local tenant)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-drill-scenario-'));
    await cp(scenarioDir('circleci'), dir, { recursive: true });
    const drill = { name: 'ci-deploy-key', description: 'only the deploy key', refs: [{ provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7102' }] };
    await writeFile(join(dir, 'drill.json'), JSON.stringify(drill));
    const r = await runCli(['--scenario', dir, '--plan-only'], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Drill ci-deploy-key — plan only (mode direct); nothing was changed');
    expect(r.stdout).toMatch(/revoke +github:deploy_key:acme-robotics\/infra-terraform:7102/);
    expect(r.stdout).toMatch(/Plan digest [0-9a-f]{64}/);
  });
});

describe('cordon drill and the HTML report', () => {
  it('runs a full drill from the command line and writes the JSON and HTML reports', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cordon-drill-out-'));
    const r = await runCli(['--scenario', 'circleci', '--json', '--out', out], {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    });
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as DrillReport & { files: { json: string; html: string } };
    expect(printed.verdict).toBe('pass');
    const written = DrillReport.parse(JSON.parse(await readFile(printed.files.json, 'utf8')));
    expect(written.workflowId).toBe(printed.workflowId);
    expect((await readFile(printed.files.html, 'utf8')).startsWith('<!doctype html>')).toBe(true);
    for (const leaked of SHIPPED_DRILLS.get('circleci')!.refs.flatMap((x) => (x.leakedValue ? [x.leakedValue] : []))) {
      expect(r.stdout).not.toContain(leaked);
      expect(await readFile(printed.files.html, 'utf8')).not.toContain(leaked);
    }
  });

  it('posts the graded summary to a Slack thread when asked', async () => {
    // A Slack emulator stands in for the team's real workspace.
    const slack = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('salesloft-drift')) });
    try {
      const env = slack.connectorEnv();
      const r = await runCli(['--scenario', 'circleci', '--json', '--out', await mkdtemp(join(tmpdir(), 'cordon-drill-out-')), '--slack-channel', 'C0INCIDENT'], {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_NAMESPACE: inject('temporalNamespace'),
        CORDON_SLACK_BOT_TOKEN: env.CORDON_SLACK_BOT_TOKEN!,
        CORDON_SLACK_API_URL: `${slack.urls.slack}/api/`,
      });
      expect(r.code, r.stderr).toBe(0);
      const printed = JSON.parse(r.stdout) as DrillReport & { slack: { channel: string; ts: string } };
      const res = await fetch(`${slack.urls.slack}/_emulator/messages`);
      const { messages } = (await res.json()) as { messages: { channel: string; ts: string; text: string }[] };
      const summary = messages.find((m) => m.ts === printed.slack.ts)!;
      expect(summary.channel).toBe('C0INCIDENT');
      expect(summary.text).toMatch(/circleci/i);
      expect(summary.text).toMatch(/pass/i);
      const missing = await runCli(['--scenario', 'circleci', '--slack-channel', 'C0INCIDENT'], {});
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/CORDON_SLACK_BOT_TOKEN/);
    } finally {
      await slack.close();
    }
  });

  it('refuses an unknown scenario with exit 2 and names the shipped ones', async () => {
    const r = await runCli(['--scenario', 'no-such-scenario'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('salesloft-drift, circleci, cloudflare-okta');
  });

  it('opens in headless Chromium, fetches nothing, and its timeline shows every credential and approval wait', async () => {
    expect([...reports.keys()].sort()).toEqual([...SHIPPED_DRILLS.keys()].sort());
    const dir = await mkdtemp(join(tmpdir(), 'cordon-drill-html-'));
    const browser = await launchChromium();
    try {
      for (const [name, report] of reports) {
        const file = join(dir, `${name}.html`);
        await writeFile(file, renderDrillHtml(report));
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const requests: string[] = [];
        page.on('request', (req) => requests.push(req.url()));
        await page.goto(`file://${file}`);
        expect(requests, name).toEqual([`file://${file}`]);
        expect(await page.locator('#verdict').textContent()).toBe('PASS');
        const rows = page.locator('#timeline g.credential-row');
        expect(await rows.count()).toBe(report.credentials.length);
        for (const c of report.credentials) {
          const row = page.locator(`#timeline g.credential-row[data-credential-id="${c.credentialId}"]`);
          expect(await row.count(), c.credentialId).toBe(1);
          expect(await row.getAttribute('data-final-state')).toBe(c.finalState);
          expect(await row.locator('rect.segment').count()).toBe(c.timeline.length);
          // Drawn, with a width: the chart is visible, not just present in the markup.
          const box = await row.locator('rect.segment').last().boundingBox();
          expect(box!.width).toBeGreaterThan(0);
        }
        expect(await page.locator('#timeline g.approval-row').count()).toBe(report.approvals.length);
        expect(await page.locator('#checks tbody tr').count()).toBe(report.checks.length);
        const shot = join(dir, `${name}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        expect((await stat(shot)).size).toBeGreaterThan(10_000);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});

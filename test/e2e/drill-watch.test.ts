// The drift watch's drill end to end, as a user runs it: `cordon drill --scenario watch-salesloft-drift` plays the
// Salesloft/Drift attack into the local tenant's Salesforce audit log, runs one watch pass on the real dev server
// with the real connectors, grades the verdict (its triggers and reasons) and the containment the watch opened,
// which the simulated approvers see through to contained; the JSON and HTML reports show it all.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { DrillReport } from '../../schemas/drill.ts';

const DRILL_CLI = fileURLToPath(new URL('../../cli/drill.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') };
  return new Promise((resolve) => {
    execFile(TSX, [DRILL_CLI, ...args], { env, timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('cordon drill --scenario watch-salesloft-drift', () => {
  it('grades the verdict, its reasons and the containment that follows, which ends contained', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cordon-drill-watch-'));
    const r = await runCli(['--scenario', 'watch-salesloft-drift', '--json', '--out', out]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const printed = JSON.parse(r.stdout) as DrillReport & { files: { json: string; html: string } };
    const report = DrillReport.parse(JSON.parse(await readFile(printed.files.json, 'utf8')));
    const failed = report.checks.filter((c) => !c.ok);
    expect(failed).toEqual([]);
    expect(report.verdict).toBe('pass');
    // The watch's own checks come first, then the containment's, graded like any drill.
    expect(report.checks.slice(0, 5).map((c) => c.id)).toEqual(['watch:verdict', 'watch:trigger:new_infrastructure', 'watch:reason:AS14061', 'watch:reason:python-requests', 'watch:containment']);
    expect(report.checks.some((c) => c.id === 'finished')).toBe(true);
    expect(report.watch).toMatchObject({ tokenKey: '005Hs000003DrftAAA:Drift', severity: 'critical', containment: report.workflowId });
    expect(report.watch!.reasons.join(' | ')).toMatch(/AS14061.*hosting/);
    expect(report.workflowId).toMatch(/^cordon-contain-drift-/);
    expect(report.outcome).toBe('contained');
    expect(report.credentials.some((c) => c.credentialId.startsWith('salesforce:oauthtoken:005Hs000003DrftAAA:') && c.finalState === 'verified_dead')).toBe(true);
    const html = await readFile(printed.files.html, 'utf8');
    expect(html).toContain('the watch gave a verdict on the attacked token');
    expect(html).toContain('<h2>Drift watch verdict</h2>');
    expect(html).toMatch(/<section id="watch">.*AS14061/s);
  }, 330_000);

  it('has no plan to show before the watch runs: --plan-only is refused with exit 2', async () => {
    const r = await runCli(['--scenario', 'watch-salesloft-drift', '--plan-only']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/drill of the drift watch: the watch names the credentials/);
  });
});

// The chaos suite's quick variant (the full one is `npm run chaos`, test/chaos/chaos.ts): containments
// across the four emulated providers while worker processes are SIGKILLed and the Temporal server is
// restarted with SIGTERM and with SIGKILL on the same database, some runs approved around the restarts.
// This file runs its own dev server (it restarts it), not the e2e run's shared one.
import { expect, it } from 'vitest';
import { formatReport, runChaos } from '../chaos/chaos.ts';

it('contains every credential through worker kills and server restarts: nothing lost, nothing done twice, no orphan alive', async () => {
  const report = await runChaos({ containments: 28, kills: 5, restarts: ['SIGTERM', 'SIGKILL'], approvalShare: 0.25, workers: 2, concurrency: 14, timeoutMs: 480_000, log: () => undefined });
  console.log(formatReport(report));
  expect(report.violations).toEqual([]);
  expect(report.runs).toBe(28);
  expect(report.kills).toBe(5);
  expect(report.restarts).toEqual(['SIGTERM', 'SIGKILL']);
  expect(Object.keys(report.byProvider).sort()).toEqual(['github', 'google', 'salesforce', 'slack']);
  expect(report.approvals).toBeGreaterThan(0);
  expect(report.replacements).toBeGreaterThan(0);
}, 600_000);

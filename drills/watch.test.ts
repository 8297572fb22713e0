// Grading a watch pass for a watch drill: every expectation is its own check, and a pass that misses the
// token, a trigger or a reason, or opens no containment, fails the drill with what it saw instead.
import { describe, expect, it } from 'vitest';
import type { DriftWatchReport } from '../schemas/watch.ts';
import { WATCH_DRILLS } from './scenarios.ts';
import { gradeWatchPass } from './watch.ts';

const drill = WATCH_DRILLS.get('watch-salesloft-drift')!.watch!;
const verdict = {
  id: 'v1',
  tokenKey: drill.tokenKey,
  provider: 'salesforce' as const,
  principal: '005Hs000003DrftAAA',
  score: 91,
  severity: 'critical' as const,
  triggers: ['new_infrastructure' as const],
  reasons: ['used from AS14061 (DigitalOcean, LLC; hosting), never seen in 14 days', 'new client class python (user agent "python-requests/2.31.0")'],
  action: 'staged' as const,
};
const pass = (over: Partial<DriftWatchReport> = {}): DriftWatchReport => ({
  startedAt: '2026-11-27T12:00:00.000Z',
  finishedAt: '2026-11-27T12:00:01.000Z',
  providers: [],
  ingest: { received: 0, accepted: 0, malformed: 0, duplicate: 0, outOfOrder: 0, late: 0 },
  verdicts: [verdict],
  containments: [{ verdictId: 'v1', tokenKey: drill.tokenKey, workflowId: 'cordon-contain-drift-v1', mode: 'staged', state: 'opened' }],
  ...over,
});

describe('a watch drill grades the pass', () => {
  it('passes when the verdict names the triggers and reasons and a containment was opened', () => {
    const g = gradeWatchPass(drill, pass());
    expect(g.checks.filter((c) => !c.ok)).toEqual([]);
    expect(g.containment).toBe('cordon-contain-drift-v1');
  });

  it('fails each missing part on its own check, saying what it saw', () => {
    const weak = { ...verdict, reasons: ['used from AS14061 (DigitalOcean, LLC; hosting), never seen in 14 days'], triggers: ['scope_or_volume' as const] };
    const g = gradeWatchPass(drill, pass({ verdicts: [weak], containments: [{ verdictId: 'v1', tokenKey: drill.tokenKey, workflowId: 'x', mode: 'staged', state: 'not_mappable', note: 'no credential' }] }));
    expect(g.checks.filter((c) => !c.ok).map((c) => [c.id, c.actual])).toEqual([
      ['watch:trigger:new_infrastructure', 'scope_or_volume'],
      ['watch:reason:python-requests', 'no such reason'],
      ['watch:containment', 'not_mappable (staged): no credential'],
    ]);
    expect(gradeWatchPass(drill, pass({ verdicts: [], containments: [] })).checks.every((c) => c.id.startsWith('watch:') && !c.ok)).toBe(true);
  });
});

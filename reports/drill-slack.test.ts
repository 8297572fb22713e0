import { describe, expect, it } from 'vitest';
import { DrillTargets } from '../schemas/drill.ts';
import { gradeDrill } from '../drills/grade.ts';
import { finishedStatus } from '../drills/status-fixture.ts';
import { drillSlackSummary } from './drill-slack.ts';

const graded = (targets: Parameters<typeof DrillTargets.parse>[0]) => gradeDrill(finishedStatus(), { name: 'fixture', description: 'd', targets: DrillTargets.parse(targets) });

describe('drillSlackSummary', () => {
  it('says pass, the times against the targets, and flags the known limit', () => {
    const s = drillSlackSummary(graded({ containWithin: '2m', expectNotContained: [{ match: 'pat:fine_grained', reason: 'org access only' }] }), { reportUrl: 'https://reports.example/d.html' });
    expect(s.text).toBe('Drill fixture: PASS (1/2 verified dead, outcome not_contained)');
    expect(s.blocks[0]).toMatchObject({ type: 'header' });
    const all = JSON.stringify(s.blocks);
    expect(all).toContain('Slowest revoke*\\n1m10s (target 5m)');
    expect(all).toContain('Slowest verified dead*\\n1m15s (target 2m)');
    expect(all).toContain('2, longest 1m00s');
    expect(all).toContain(':warning: github · fine-grained PAT');
    expect(all).toContain('known limit: org access only');
    expect(all).toContain('<https://reports.example/d.html|full report>');
    expect(all).not.toContain('Failed checks');
  });

  it('lists failed checks, escapes mrkdwn control characters, and stays within Block Kit limits', () => {
    const s = drillSlackSummary(graded({}));
    expect(s.text.split('\n')[0]).toBe('Drill fixture: FAIL (1/2 verified dead, outcome not_contained)');
    expect(s.text).toContain('failed: fine-grained PAT is verified dead (not_contained, target verified_dead)');
    const all = JSON.stringify(s.blocks);
    expect(all).toContain('Failed checks');
    expect(all).toContain('Drift &lt;script&gt;alert(1)&lt;/script&gt; grant');
    expect(all).not.toContain('<script>');
    expect(all).toContain('Lead router &amp; co');
    expect(s.blocks.length).toBeLessThanOrEqual(50);
    for (const b of s.blocks) if (b.type === 'header') expect(((b.text as { text: string }).text).length).toBeLessThanOrEqual(150);
  });
});

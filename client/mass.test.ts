import { expect, it } from 'vitest';
import { InvalidInputError } from './containments.ts';
import type { Client } from '@temporalio/client';
import type { MassProgressView } from '../schemas/mass.ts';
import { followMassContainment, formatEta, massProgress, massStatusLine, massWorkflowId, parseRefsFile, progressLine, progressRecord } from './mass.ts';

it('reads refs from NDJSON and CSV, skipping blank and comment lines', () => {
  expect(parseRefsFile('# a comment\n{"provider":"github","kind":"deploy_key","id":"deploy_key:o/r:1"}\n\n', 'ndjson')).toEqual([{ provider: 'github', kind: 'deploy_key', id: 'deploy_key:o/r:1' }]);
  expect(parseRefsFile('provider,kind,keyId\ngoogle,service_account_key,abc\n', 'csv')).toEqual([{ provider: 'google', kind: 'service_account_key', keyId: 'abc' }]);
});

it('names every bad line and field, never a value, and returns nothing when any line is bad', () => {
  const text = '{"provider":"github","kind":"pat","leakedValue":"xoxb-wrong-provider-000"}\nnot json\n{"provider":"memory","kind":"oauth_token"}\n';
  try {
    parseRefsFile(text, 'ndjson');
    throw new Error('accepted');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/line 1: leakedValue: this does not have the shape of a github credential/);
    expect(msg).toMatch(/line 2: not a JSON object/);
    expect(msg).toMatch(/line 3: id: give at least one of/);
    expect(msg).not.toContain('xoxb-wrong-provider-000');
  }
  expect(() => parseRefsFile('provider,kind,secret\n', 'csv')).toThrow(/unknown: secret/);
  expect(() => parseRefsFile('\n# nothing\n', 'ndjson')).toThrow(/no credential refs/);
});

it('derives one mass-containment id from the incident and refs, and renders progress', () => {
  const refs = [{ provider: 'memory' as const, kind: 'oauth_token' as const, id: 'a' }];
  expect(massWorkflowId('INC-1', refs)).toBe(massWorkflowId('INC-1', [...refs]));
  expect(massWorkflowId('INC-1', refs)).not.toBe(massWorkflowId('INC-2', refs));
  expect(progressLine({ incidentId: 'INC-1', total: 10, done: 4, tally: { contained: 3, not_contained: 1 }, notContained: [{ index: 2, workflowId: 'w', outcome: 'not_contained' }] }, 2000)).toBe(
    '4/10 done · 3 contained · 1 not contained · 6 waiting · 120.0 refs/min · ETA 3s',
  );
  expect(progressRecord({ incidentId: 'INC-1', total: 10, done: 0, tally: {}, notContained: [] }, 2000)).toEqual({ total: 10, done: 0, contained: 0, notContained: 0, waiting: 10, perSecond: 0, refsPerMinute: 0, etaSeconds: null });
  // 100 of 1,000 in 5 minutes: 20 refs/min, 900 left → 45 minutes.
  const slow = progressRecord({ incidentId: 'INC-1', total: 1000, done: 100, tally: { contained: 100 }, notContained: [] }, 5 * 60_000);
  expect(slow.refsPerMinute).toBe(20);
  expect(slow.etaSeconds).toBe(45 * 60);
  expect(progressLine({ incidentId: 'INC-1', total: 1000, done: 100, tally: { contained: 100 }, notContained: [] }, 5 * 60_000)).toContain('20.0 refs/min · ETA 45m 0s');
  expect(formatEta(3700)).toBe('1h 1m');
  // All done: nothing left to wait for, whatever the rate.
  expect(progressRecord({ incidentId: 'INC-1', total: 3, done: 3, tally: { contained: 3 }, notContained: [] }, 0).etaSeconds).toBe(0);
  expect(massStatusLine({ incidentId: 'INC-1', total: 10, done: 4, tally: { contained: 3, not_contained: 1 }, notContained: [{ index: 2, workflowId: 'w', outcome: 'not_contained' }] })).toBe(
    '4/10 done · 3 contained · 1 not contained · 6 waiting',
  );
});

// Seen at 10,000 refs under CPU load: the count went from 9,643 to 9,272 between two readings, a page run's
// progress query having failed (its refs were left out of the sum without a word).
it('asks a silent page run once more, says how many stayed silent, and a live view never goes back', async () => {
  const answers: Record<string, (() => MassProgressView)[]> = {
    mass: [parentReading, parentReading],
    // p0 answers; p1 fails once, then answers (first reading); fails twice (second reading); answers (third).
    p0: [() => page(300), () => page(310), () => page(320)],
    p1: [fail, () => page(200), fail, fail, () => page(240)],
  };
  function parentReading(): MassProgressView {
    return { incidentId: 'I', total: 1000, tally: { contained: 100 }, notContained: [], done: 100, runningPages: ['p0', 'p1'] };
  }
  function page(done: number): MassProgressView {
    return { incidentId: 'I', total: 500, tally: { contained: done }, notContained: [], done };
  }
  function fail(): never {
    throw new Error('query timed out');
  }
  let status = 'RUNNING';
  const client = {
    workflow: {
      getHandle: (id: string) => ({
        query: async () => answers[id]!.shift()!(),
        describe: async () => ({ status: { name: status }, startTime: new Date(0), closeTime: undefined }),
        result: async () => ({ incidentId: 'I', total: 1000, tally: { contained: 1000 }, notContained: [] }),
      }),
    },
  } as unknown as Client;
  const first = await massProgress(client, 'mass', 1);
  expect([first.done, first.unansweredPages]).toEqual([600, undefined]);
  const second = await massProgress(client, 'mass', 1);
  expect([second.done, second.unansweredPages]).toEqual([410, 1]);
  // The live view (cordon contain --from) shows 660 after 600, never 410 between them.
  answers.mass = [parentReading, parentReading, parentReading];
  answers.p0 = [() => page(300), () => page(310), () => page(320)];
  answers.p1 = [() => page(200), fail, fail, () => page(240)];
  const shown: number[] = [];
  let polls = 0;
  await followMassContainment(client, 'mass', (p) => {
    shown.push(p.done);
    if (++polls === 3) status = 'COMPLETED';
  }, 1);
  expect(shown).toEqual([600, 600, 660]);
});

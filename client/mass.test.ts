import { expect, it } from 'vitest';
import { InvalidInputError } from './containments.ts';
import { massStatusLine, massWorkflowId, parseRefsFile, progressLine, progressRecord } from './mass.ts';

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
    '4/10 done · 3 contained · 1 not contained · 6 waiting · 2.0/s · ETA 3s',
  );
  expect(progressRecord({ incidentId: 'INC-1', total: 10, done: 0, tally: {}, notContained: [] }, 2000)).toEqual({ total: 10, done: 0, contained: 0, notContained: 0, waiting: 10, perSecond: 0, etaSeconds: null });
  expect(massStatusLine({ incidentId: 'INC-1', total: 10, done: 4, tally: { contained: 3, not_contained: 1 }, notContained: [{ index: 2, workflowId: 'w', outcome: 'not_contained' }] })).toBe(
    '4/10 done · 3 contained · 1 not contained · 6 waiting',
  );
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../schemas/verdict.ts';
import { newBaseline } from './baseline.ts';
import { openBaselineStore } from './baseline-store.ts';

function baseline(tokenKey: string) {
  return newBaseline({ id: 'e1', provider: 'slack', at: '2026-10-01T00:00:00Z', action: 'use', tokenKey, principal: 'U1', count: 1 }, 1);
}

const verdict: Verdict = {
  id: 'vd_1',
  tokenKey: 'tok-1',
  provider: 'slack',
  principal: 'U1',
  status: 'open',
  score: 60,
  severity: 'medium',
  triggers: ['new_infrastructure'],
  reasons: [{ signal: 'new_asn', category: 'new_infrastructure', subject: '14061', text: 'used from AS14061', eventIds: ['e1'], weight: 60, firstAt: '2026-10-01T00:00:00.000Z', lastAt: '2026-10-01T00:00:00.000Z' }],
  action: 'staged',
  openedAt: '2026-10-01T00:00:00.000Z',
  updatedAt: '2026-10-01T00:00:00.000Z',
};

describe('the baseline store', () => {
  it('keeps baselines, verdicts, event ids, lifecycle, revocations and cursors across a reopen (a restart)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cordon-watch-')), 'nested', 'watch.db');
    const first = openBaselineStore(path);
    first.transaction(() => {
      first.putBaseline(baseline('tok-1'));
      first.putVerdict(verdict);
      first.markEvent('e1', 1000);
      first.putPrincipalStatus('slack', 'U1', 'offboarded', 5);
      first.putAppRetired('slack', 'old-bot', 7);
      first.putRevocation('tok-1', 9);
      first.putCursor('slack', { after: 'c-42', at: '2026-10-01T00:00:00Z' });
    });
    first.close();
    const again = openBaselineStore(path);
    expect(again.getBaseline('tok-1')?.tokenKey).toBe('tok-1');
    expect(again.countBaselines()).toBe(1);
    expect(again.getVerdict('tok-1')).toEqual(verdict);
    expect(again.openVerdicts()).toEqual([verdict]);
    expect(again.hasEvent('e1')).toBe(true);
    expect(again.hasEvent('e2')).toBe(false);
    expect(again.getPrincipalStatus('slack', 'U1')).toEqual({ status: 'offboarded', at: 5 });
    expect(again.getAppRetired('slack', 'old-bot')).toBe(7);
    expect(again.getRevocation('tok-1')).toBe(9);
    expect(again.getCursor('slack')).toEqual({ after: 'c-42', at: '2026-10-01T00:00:00Z' });
    expect(again.getCursor('github')).toBeUndefined();
    again.close();
  });

  it('writes a transaction whole or not at all', () => {
    const store = openBaselineStore(':memory:');
    expect(() =>
      store.transaction(() => {
        store.putBaseline(baseline('tok-2'));
        store.markEvent('e2', 1);
        throw new Error('crash in the middle of an ingest');
      }),
    ).toThrow('crash in the middle of an ingest');
    expect(store.getBaseline('tok-2')).toBeUndefined();
    expect(store.hasEvent('e2')).toBe(false);
  });

  it('forgets old event ids, keeps a later principal status over an earlier one, and refuses a cursor that is not JSON', () => {
    const store = openBaselineStore(':memory:');
    store.markEvent('old', 10);
    store.markEvent('new', 20);
    expect(store.pruneEvents(15)).toBe(1);
    expect([store.hasEvent('old'), store.hasEvent('new')]).toEqual([false, true]);
    store.putPrincipalStatus('google', 'a@x', 'offboarded', 50);
    store.putPrincipalStatus('google', 'a@x', 'role_changed', 40); // an older record read late
    expect(store.getPrincipalStatus('google', 'a@x')).toEqual({ status: 'offboarded', at: 50 });
    store.putPrincipalStatus('google', 'a@x', 'reactivated', 60);
    expect(store.getPrincipalStatus('google', 'a@x')?.status).toBe('reactivated');
    expect(() => store.putCursor('x', undefined)).toThrow('cursor x: the value must be JSON (got undefined)');
  });

  it('refuses a file that is not a SQLite database, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-watch-'));
    expect(() => openBaselineStore(dir)).toThrow(new RegExp(`^watch store ${dir}: cannot open it as a SQLite database`));
  });
});

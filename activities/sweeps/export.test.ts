// The JSON and CSV exports: every credential row with its flags, every blind spot and every
// provider that could not be inventoried, quoting that survives commas and quotes, and no formula
// a spreadsheet would evaluate.
import { describe, expect, it } from 'vitest';
import type { Credential } from '../../schemas/credential.ts';
import { HygieneReport } from '../../schemas/sweep.ts';
import { flagInventories } from './flags.ts';
import { inventoryCsv, inventoryJson, parseInventoryCsv } from './export.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const base: Credential = {
  provider: 'github',
  kind: 'pat',
  id: 'pat-1',
  label: 'deploy, "prod"',
  principal: { id: 'octocat', displayName: 'Octo', type: 'user', status: 'active' },
  scopes: ['repo', 'read:org'],
  createdAt: '2026-01-01T00:00:00Z',
  lastUsedAt: '2026-05-30T00:00:00Z',
  consumers: [{ id: 'ci', name: 'CI', kind: 'pipeline' }],
  selfOrLastAdmin: false,
};
const report = flagInventories(
  [
    { provider: 'github', inventory: { provider: 'github', takenAt: NOW.toISOString(), credentials: [base, { ...base, id: 'pat-2', label: '=HYPERLINK("x")', scopes: ['read:org'] }], principals: [], blindSpots: ['SSH keys of members are not listed'] } },
    { provider: 'slack', missing: { state: 'unsupported', error: 'slack: no token listing' } },
  ],
  { unusedDays: 90 },
  NOW,
);

describe('inventory export', () => {
  it('JSON round-trips through the report schema with rows, flags and coverage', () => {
    const back = HygieneReport.parse(JSON.parse(inventoryJson(report)));
    expect(back.flagged).toEqual(['pat-1']);
    expect(back.rows.find((r) => r.credential.id === 'pat-1')!.flags.map((f) => f.kind)).toEqual(['over_broad_scope']);
    expect(back.coverage.map((c) => [c.provider, c.state])).toEqual([['github', 'inventoried'], ['slack', 'unsupported']]);
  });

  it('CSV has one record per credential, per blind spot and per missing provider, and quotes safely', () => {
    const records = parseInventoryCsv(inventoryCsv(report));
    expect(records.map((r) => r.record)).toEqual(['credential', 'credential', 'blind_spot', 'unsupported']);
    const [pat1, pat2, spot, slack] = records as [typeof records[0], typeof records[0], typeof records[0], typeof records[0]];
    expect(pat1).toMatchObject({ provider: 'github', credential_id: 'pat-1', label: 'deploy, "prod"', scopes: 'repo read:org', flags: 'over_broad_scope', consumers: 'ci' });
    expect(pat2.flags).toBe('');
    expect(pat2.label).toBe(`'=HYPERLINK("x")`);
    expect(slack).toMatchObject({ provider: 'slack', detail: 'slack: no token listing' });
    expect(spot).toMatchObject({ provider: 'github', detail: 'SSH keys of members are not listed' });
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORDON_ENV_NAMES } from '../connectors/providers.ts';
import { README_PATH, renderConfigTable, TABLE_END, TABLE_START, withConfigTable } from './config-table.ts';

describe("the README's configuration table", () => {
  it('is the one generated from schemas/config.ts (run `npm run docs:config` after changing the schema)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    const section = readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END));
    expect(section.trim()).toBe(renderConfigTable());
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('has one row per variable', () => {
    const table = renderConfigTable();
    for (const name of CORDON_ENV_NAMES) expect(table).toContain(`| \`${name}\` |`);
  });
});

// The consumer inventories as JSON or `@<path>`: both read the same, and every error names the variable
// and the file, never the value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInventoryVariable } from './inventory-variable.ts';
import { CordonEnv } from './providers.ts';

const inventory = { 'repo:acme/api:deploy_key:7': [{ id: 'ci', kind: 'ci' }] };
const dir = mkdtempSync(join(tmpdir(), 'cordon-inventory-test-'));
const file = join(dir, 'consumers.json');
writeFileSync(file, JSON.stringify(inventory));

describe('readInventoryVariable', () => {
  it('reads the JSON inline or from @<path> alike, and nothing when unset or empty', () => {
    expect(readInventoryVariable({ X: JSON.stringify(inventory) }, 'X', 'an inventory')).toEqual(inventory);
    expect(readInventoryVariable({ X: `@${file}` }, 'X', 'an inventory')).toEqual(inventory);
    expect(readInventoryVariable({}, 'X', 'an inventory')).toBeUndefined();
    expect(readInventoryVariable({ X: '' }, 'X', 'an inventory')).toBeUndefined();
  });

  it('names the variable and the file when the file is missing or not JSON, and never echoes the value', () => {
    expect(() => readInventoryVariable({ X: `@${join(dir, 'absent.json')}` }, 'X', 'an inventory', 'github connector: ')).toThrow(
      `github connector: X: cannot read the file ${join(dir, 'absent.json')} (ENOENT)`,
    );
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'consumer-secret-ish, not json');
    expect(() => readInventoryVariable({ X: `@${notJson}` }, 'X', '{"<credential id>": […]}')).toThrow(`X (the file ${notJson}) is not JSON (expected {"<credential id>": […]})`);
    let message = '';
    try {
      readInventoryVariable({ X: '{"private": "value' }, 'X', 'an inventory');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('X is not JSON (expected an inventory)');
    expect(() => readInventoryVariable({ X: '@  ' }, 'X', 'an inventory')).toThrow('X: "@" must be followed by the path of a JSON file');
  });

  it('the configuration schema takes @<path> for the three inventories, and refuses a bare @ and a file it cannot read', () => {
    for (const name of ['CORDON_GITHUB_CONSUMERS', 'CORDON_GOOGLE_INVENTORY_JSON', 'CORDON_SALESFORCE_CONSUMERS'] as const) {
      expect(CordonEnv.shape[name]!.safeParse(`@${file}`).success, name).toBe(true);
      expect(CordonEnv.shape[name]!.safeParse('@').success, name).toBe(false);
      expect(CordonEnv.shape[name]!.safeParse('not json').success, name).toBe(false);
      // The file is read when the variable is checked: one that is not there is refused, naming it.
      const absent = CordonEnv.shape[name]!.safeParse(`@${join(dir, 'absent.json')}`);
      expect(absent.success, name).toBe(false);
      expect(JSON.stringify(absent.error?.issues), name).toContain('(ENOENT)');
    }
  });
});

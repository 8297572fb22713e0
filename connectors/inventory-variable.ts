// The consumer inventories (CORDON_GITHUB_CONSUMERS, CORDON_GOOGLE_INVENTORY_JSON,
// CORDON_SALESFORCE_CONSUMERS) are the operator's CMDB as JSON and grow with the tenant. Linux refuses
// to start a process with one environment string over 128 KiB (E2BIG; a tenant of 2,500 credentials a
// provider passes it), so each takes either the JSON itself or `@<path>` to a file holding it. JSON never
// starts with `@`, so the two cannot be confused.
import { readFileSync } from 'node:fs';

/** Linux's MAX_ARG_STRLEN (32 pages) less room for the `NAME=`: longer values cannot be passed inline. */
export const INLINE_VARIABLE_LIMIT = 128 * 1024 - 256;

/**
 * The parsed JSON of variable `name` (inline or `@<path>`), undefined when unset or empty. Errors name the
 * variable, the file and what was expected, never the value: `${prefix}${name}: …`.
 */
export function readInventoryVariable(env: Record<string, string | undefined>, name: string, expected: string, prefix = ''): unknown {
  const raw = env[name];
  if (!raw) return undefined;
  let text = raw;
  let where = '';
  if (raw.startsWith('@')) {
    const path = raw.slice(1).trim();
    if (!path) throw new Error(`${prefix}${name}: "@" must be followed by the path of a JSON file`);
    where = ` (the file ${path})`;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`${prefix}${name}: cannot read the file ${path}${code ? ` (${code})` : ''}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${prefix}${name}${where} is not JSON (expected ${expected})`);
  }
}

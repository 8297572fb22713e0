// The consumer inventories (CORDON_GITHUB_CONSUMERS, CORDON_GOOGLE_INVENTORY_JSON,
// CORDON_SALESFORCE_CONSUMERS) are the operator's CMDB as JSON and grow with the tenant. Linux refuses
// to start a process with one environment string over 128 KiB (E2BIG; a tenant of 2,500 credentials a
// provider passes it), so each takes either the JSON itself or `@<path>` to a file holding it. JSON never
// starts with `@`, so the two cannot be confused.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Linux's MAX_ARG_STRLEN (32 pages) less room for the `NAME=`: longer values cannot be passed inline. */
export const INLINE_VARIABLE_LIMIT = 128 * 1024 - 256;

/**
 * The parsed JSON of variable `name` (inline or `@<path>`), undefined when unset or empty. Errors name the
 * variable, the file and what was expected, never the value: `${prefix}${name}: …`.
 */
export function readInventoryVariable(env: Record<string, string | undefined>, name: string, expected: string, prefix = ''): unknown {
  const raw = env[name];
  if (!raw) return undefined;
  const read = parseJsonOrFile(raw, expected);
  if ('problem' in read) throw new Error(`${prefix}${name}${read.problem.startsWith('(') || read.problem.startsWith('is ') ? ' ' : ': '}${read.problem}`);
  return read.value;
}

/**
 * `raw` as JSON, or the JSON in the file `@<path>` names; else what is wrong, without the value
 * ("cannot read the file …", "(the file …) is not JSON (expected …)", "is not JSON (expected …)").
 */
export function parseJsonOrFile(raw: string, expected: string): { value: unknown } | { problem: string } {
  let text = raw;
  let where = '';
  if (raw.startsWith('@')) {
    const path = raw.slice(1).trim();
    if (!path) return { problem: '"@" must be followed by the path of a JSON file' };
    where = `(the file ${path}) `;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { problem: `cannot read the file ${path}${code ? ` (${code})` : ''}` };
    }
  }
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { problem: `${where}is not JSON (expected ${expected})` };
  }
}

/**
 * A configuration variable holding JSON or `@<path>` of a JSON file: `cordon config check` reads the file,
 * so a missing or broken one is named there, before a worker starts (which reads it again, readInventoryVariable).
 */
export const jsonOrFileVariable = (expected: string) =>
  z.string().superRefine((raw, ctx) => {
    const read = parseJsonOrFile(raw, expected);
    if ('problem' in read) ctx.addIssue({ code: 'custom', message: read.problem.replace(/^\(the file (.*?)\) is not JSON/, 'the file $1 is not JSON') });
  });

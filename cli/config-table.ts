// The README's configuration table, generated from the variables of schemas/config.ts and of every provider
// module (connectors/providers.ts): `npm run docs:config` rewrites the
// part of README.md between the config-table markers; schemas/config.test.ts fails when they differ.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { areaTitle, CORDON_ENV_NAMES, envVariableMeta, providerOfArea } from '../connectors/providers.ts';

export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));
export const TABLE_START = '<!-- config-table:start (generated from schemas/config.ts by `npm run docs:config`; do not edit by hand) -->';
export const TABLE_END = '<!-- config-table:end -->';

/** Variables Cordon reads that are not its own: Temporal's, read by @temporalio/envconfig and the build script. */
const NOT_CORDON: readonly [string, string, string][] = [
  [
    '`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE`',
    'worker, API, Slack app and CLI',
    'where Temporal is (read by `@temporalio/envconfig`); default `127.0.0.1:7233`, namespace `cordon`. See [`temporal-config/README.md`](temporal-config/README.md) for a production cluster or Temporal Cloud',
  ],
  ['`TEMPORAL_CLI_PATH`', '`npm run dev`, `npm run demo` and the build scripts', 'use this `temporal` binary instead of building the pinned one (`temporal-config/ensure-temporal.sh`)'],
];

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderConfigTable(): string {
  const rows = ['| variable | read by | secret | required | default | meaning |', '| --- | --- | --- | --- | --- | --- |'];
  for (const [names, readBy, meaning] of NOT_CORDON) rows.push(`| ${names} | ${readBy} | | | | ${cell(meaning)} |`);
  for (const name of CORDON_ENV_NAMES) {
    const meta = envVariableMeta(name);
    const provider = providerOfArea(meta.area);
    const required = !meta.required ? '' : provider ? (provider.configuredBy === name ? 'turns it on' : 'when configured') : meta.area === 'core' ? 'yes' : `by ${areaTitle(meta.area)}`;
    rows.push(`| \`${name}\` | ${cell(areaTitle(meta.area))} | ${meta.secret ? 'secret' : ''} | ${required} | ${cell(meta.default ?? '')} | ${cell(meta.description)} |`);
  }
  return rows.join('\n');
}

/** The README with its table section replaced by the generated one. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} section`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = await readFile(README_PATH, 'utf8');
  const next = withConfigTable(readme);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      process.stderr.write('README.md configuration table differs from schemas/config.ts: run npm run docs:config\n');
      process.exitCode = 1;
    }
  } else if (next !== readme) {
    await writeFile(README_PATH, next);
    process.stdout.write('README.md configuration table regenerated\n');
  }
}

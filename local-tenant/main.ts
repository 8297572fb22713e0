// `npm run emulators`: the local tenant on its own, seeded with a shipped scenario (SCENARIO, default
// salesloft-drift). Prints the base URLs, the control API and the CORDON_* variables for a worker.
import { loadScenarioByName } from '@cordon/emulators';
import { startLocalTenant } from './tenant.ts';

const name = process.env.SCENARIO ?? 'salesloft-drift';
const tenant = await startLocalTenant({ scenario: await loadScenarioByName(name) });
const out = (s: string) => process.stdout.write(`${s}\n`);
out(`Local tenant (${name})`);
for (const [provider, url] of Object.entries(tenant.urls)) out(`  ${provider.padEnd(10)} ${url}`);
out(`  control    ${tenant.controlUrl}  (GET /calls, POST /faults, POST /reset, POST /audit-records, POST /audit-clock; emulators/README.md)`);
out('');
out('Connector variables for a worker (contain the test-only credentials of this local tenant):');
for (const key of Object.keys(tenant.connectorEnv()).sort()) out(`  ${key}`);
out(`  (GET ${tenant.controlUrl}/urls for the URLs; the values are printed with SHOW_ENV=1)`);
if (process.env.SHOW_ENV === '1') for (const [k, v] of Object.entries(tenant.connectorEnv())) out(`export ${k}='${v.replace(/'/g, "'\\''")}'`);
out('Ctrl-C stops them.');
const stop = async () => {
  await tenant.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

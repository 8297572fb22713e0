// The generated load scenario: thousands of credentials across the four providers, deterministic,
// for mass-containment drills and benchmarks. `npx tsx emulators/scenarios/load.ts 5000 > load.json`.
import { generateGitHubLoadSection } from '../github/scenario.ts';
import { generateGoogleLoadSection } from '../google/scenario.ts';
import { generateSalesforceLoadSection } from '../salesforce/scenario.ts';
import { generateSlackLoadSection } from '../slack/scenario.ts';
import { Scenario } from '../scenario.ts';

export function loadScenario(credentialsPerProvider = 1000): Scenario {
  return Scenario.parse({
    name: 'load',
    description: `Generated: ${credentialsPerProvider} credentials per provider across Google, GitHub, Salesforce and Slack.`,
    google: generateGoogleLoadSection(credentialsPerProvider),
    github: generateGitHubLoadSection(credentialsPerProvider),
    salesforce: generateSalesforceLoadSection(credentialsPerProvider),
    slack: generateSlackLoadSection(credentialsPerProvider),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(loadScenario(Number(process.argv[2] ?? 1000)))}\n`);
}

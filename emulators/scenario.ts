// A scenario seeds the whole local tenant: one optional section per provider. Pure zod.
import { z } from 'zod';
import { GoogleScenario } from './google/scenario.ts';
import { GitHubScenario } from './github/scenario.ts';
import { SalesforceScenario } from './salesforce/scenario.ts';
import { SlackScenario } from './slack/scenario.ts';

export const Scenario = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    google: GoogleScenario.optional(),
    github: GitHubScenario.optional(),
    salesforce: SalesforceScenario.optional(),
    slack: SlackScenario.optional(),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;

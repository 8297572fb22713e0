// The salesforce section of a scenario file. Pure zod.
import { z } from 'zod';

export const SalesforceScenario = z.object({}).passthrough();
export type SalesforceScenario = z.infer<typeof SalesforceScenario>;

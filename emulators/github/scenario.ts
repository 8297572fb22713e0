// The github section of a scenario file. Pure zod.
import { z } from 'zod';

export const GitHubScenario = z.object({}).passthrough();
export type GitHubScenario = z.infer<typeof GitHubScenario>;

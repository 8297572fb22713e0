// The google section of a scenario file. Pure zod.
import { z } from 'zod';

export const GoogleScenario = z.object({}).passthrough();
export type GoogleScenario = z.infer<typeof GoogleScenario>;

// The slack section of a scenario file. Pure zod.
import { z } from 'zod';

export const SlackScenario = z.object({}).passthrough();
export type SlackScenario = z.infer<typeof SlackScenario>;

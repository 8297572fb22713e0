// The reference connector's environment (tests only), keyed by variable name. Pure zod; connectors/providers.ts
// joins every provider's part to the core variables of schemas/config.ts.
import { z } from 'zod';
import { variable, url } from '../../schemas/config.ts';

export const MemoryEnv = z.object({
  CORDON_MEMORY_TENANT_URL: variable(url, { area: 'memory', secret: false, description: 'a served in-memory reference tenant (tests only)' }),
});

// The emulators' own vocabulary for what a scenario seeds: the providers, principals and who consumes
// a credential. The package depends on nothing of Cordon's, so these are its own; the Cordon-side
// adapter (local-tenant/) checks at compile time that a scenario's consumers are what Cordon's
// connectors read from their inventory variables.
import { z } from 'zod';

export const EMULATED_PROVIDERS = ['google', 'github', 'salesforce', 'slack'] as const;
export type EmulatedProvider = (typeof EMULATED_PROVIDERS)[number];

export const PrincipalType = z.enum(['user', 'service_account', 'bot', 'integration_user']);
export const PrincipalStatus = z.enum(['active', 'suspended', 'offboarded']);

/** Where a consumer takes a replacement credential: a local store, or a GitHub Actions secret (which the GitHub emulator holds). */
export const ConsumerSink = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local'), name: z.string().min(1) }),
  z.object({
    type: z.literal('github_actions_secret'),
    owner: z.string().min(1),
    repo: z.string().min(1),
    secretName: z.string().regex(/^[A-Z_][A-Z0-9_]*$/i, 'GitHub secret names are letters, digits and _'),
  }),
]);

/**
 * Who uses a credential. No provider records this: the scenario carries it as the operator's
 * inventory (CMDB) would, and the host hands it to the client under test.
 */
export const Consumer = z.object({
  id: z.string().min(1),
  name: z.string(),
  kind: z.enum(['integration', 'host', 'pipeline', 'person']).default('integration'),
  sink: ConsumerSink.optional(),
  /** Where the consumer connects from (IPv4 addresses or CIDRs). */
  egress: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/, 'an IPv4 address or CIDR, e.g. 44.215.108.0/24')).optional(),
});
export type Consumer = z.infer<typeof Consumer>;

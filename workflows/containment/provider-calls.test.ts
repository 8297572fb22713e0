import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import type { CredentialSink } from '../../connectors/sinks/types.ts';
import type { ConnectorRegistry } from '../../connectors/types.ts';
import { createLogger } from '../../logging/logger.ts';
import { PROVIDER_CALLS, providerCall } from './provider-calls.ts';

/** The activities with connectors that record which provider each call asked for (and have none). */
function recordingActivities() {
  const asked: string[] = [];
  const connectors = new Proxy({} as ConnectorRegistry, {
    get: (_t, provider) => {
      if (typeof provider === 'string') asked.push(provider);
      return undefined;
    },
  });
  const sink: CredentialSink = { deliver: async () => ({ sink: 'test', location: 'nowhere' }) as never, lookup: async () => undefined };
  // The registry grants every claim to the caller, so a replacement goes on to its connector.
  const registry = new Proxy({}, { get: (_t, op) => async (_p: unknown, claim?: { workflowId?: string }) => (op === 'claim' ? { workflowId: claim?.workflowId } : []) }) as never;
  const activities = createActivities({ connectors, sink, registry, logger: createLogger({ level: 'error' }) });
  return { activities, asked };
}

// Every place a provider can be named, each naming a different one: the table must pick the one the activity uses.
const principal = { id: 'p-1', displayName: 'p', kind: 'service_account' };
const credential = { provider: 'github', kind: 'deploy_key', id: 'github:deploy_key:x', label: 'x', principal, consumers: [], riskFlags: [] };
const sample = {
  ref: { provider: 'google', kind: 'service_account_key', keyId: 'k' },
  refs: [{ index: 0, ref: { provider: 'salesforce', kind: 'refresh_token', clientId: 'x', user: 'u' } }],
  provider: 'slack',
  credential,
  principal,
  end: [],
  targets: [],
  workflowId: 'wf',
  runStartedAt: new Date(0).toISOString(),
  consumer: { id: 'c-1', name: 'c', kind: 'ci' },
  rung: 'revoke_all_client_tokens',
  restriction: { kind: 'ip_allowlist' },
  undo: { kind: 'ip_allowlist' },
  replacementIds: [],
  planned: [],
  items: [{ credential, replacementIds: [], planned: [] }],
  leakedValue: 'not-a-secret',
  index: 0,
  waveSize: 1,
  mode: 'direct',
  reports: [],
  report: { provider: 'salesforce', ref: 'salesforce refresh_token', credentials: [], relatedServiceAccounts: [], riskFlags: [], blindSpots: [], pendingEnrichment: [] },
  reauth: [],
  digest: '0'.repeat(64),
  kind: 'completed',
  incidentId: 'INC-1',
  summary: 's',
};

/** Where one activity's input shares a field name with another's in another shape. */
const SAMPLE_FOR: Record<string, object> = {
  identifyScopes: { refs: [{ provider: 'salesforce', kind: 'refresh_token', clientId: 'x', user: 'u' }] },
};

describe('the table of provider calls', () => {
  it('names every activity the worker registers, and nothing else', () => {
    const { activities } = recordingActivities();
    expect(Object.keys(PROVIDER_CALLS).sort()).toEqual(Object.keys(activities).sort());
  });

  it('finds, for every provider call, the provider whose connector the activity asks for; Cordon’s own steps ask for none', async () => {
    for (const name of Object.keys(PROVIDER_CALLS)) {
      const { activities, asked } = recordingActivities();
      const call = providerCall(name);
      const input = { ...structuredClone(sample), ...SAMPLE_FOR[name] };
      await (activities as unknown as Record<string, (i: unknown) => Promise<unknown>>)[name]!(input).catch(() => undefined);
      if (call) expect({ name, asked: asked[0] }).toEqual({ name, asked: call.provider(input) });
      else expect({ name, asked }).toEqual({ name, asked: [] });
    }
  });

  it('refuses an activity it does not list, naming it', () => {
    expect(() => providerCall('someNewProviderCall')).toThrow(/someNewProviderCall is not in PROVIDER_CALLS/);
  });
});

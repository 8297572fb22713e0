// issueReplacement's registry rounds, in order: the claim (with the mint note when the provider cannot label
// the mint), then the record, sent as the delivery starts and awaited with it. The registry is the activity's
// injected dependency (ActivityDeps.registry); the end-to-end behaviour is in test/e2e/orphans.test.ts.
import { describe, expect, it } from 'vitest';
import type { Connector, ConnectorRegistry } from '../connectors/types.ts';
import type { CredentialSink, DeliveredReplacement } from '../connectors/sinks/types.ts';
import { createLogger } from '../logging/logger.ts';
import { Secret } from '../logging/secret.ts';
import { createActivities, type ReplacementOutcome } from './index.ts';
import type { ReplacementRegistry } from './replacement-registry.ts';

const principal = { id: 'app-42', displayName: 'ci app', kind: 'app' };
const credential = { provider: 'github', kind: 'installation_token', id: 'github:installation_token:42', label: 'installation token of 42', principal, consumers: [], riskFlags: [] } as const;
const consumer = { id: 'ci', name: 'ci', kind: 'ci' } as const;
const input = { workflowId: 'wf-1', runStartedAt: new Date(0).toISOString(), credential, consumer } as never;

/** A gate the test opens: the delivery waits on it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

function setUp(options: { claimAnswer: Record<string, unknown>; unlabelled: boolean }) {
  const calls: string[] = [];
  const delivery = gate();
  const registry: ReplacementRegistry = {
    claim: async (_of, c) => {
      calls.push(`claim${c.noteMint ? ' (noteMint)' : ''}`);
      return { workflowId: c.workflowId, ...options.claimAnswer } as never;
    },
    record: async (_of, e) => void calls.push(`record ${e.replacementId}`),
    noteUnlabelledMint: async () => void calls.push('noteUnlabelledMint'),
    runFinished: async () => undefined,
    issuedElsewhere: async () => [],
  };
  const sink: CredentialSink = {
    deliver: async (d): Promise<DeliveredReplacement> => {
      calls.push(`deliver ${d.replacementId} started`);
      await delivery.opened;
      calls.push(`deliver ${d.replacementId} done`);
      return { replacementId: d.replacementId, fingerprint: 'fp', location: `local:${d.consumer.id}` };
    },
    lookup: async () => undefined,
  };
  const connector = {
    provider: 'github',
    cannot: {},
    replace: async (_c, to, idempotencyKey, s) => {
      calls.push('mint');
      const d = await s.deliver({ idempotencyKey, replacementId: 'tok-1', consumer: to, target: undefined, value: new Secret('ghs_new') });
      return { replacementId: d.replacementId, fingerprint: d.fingerprint, sink: d.location };
    },
    ...(options.unlabelled ? { unlabelledMint: () => ({ what: 'installation token of 42', whyNotEnded: 'no label', lifetimeMs: 3_600_000 }) } : {}),
  } as Partial<Connector> as Connector;
  const activities = createActivities({ connectors: { github: connector } as ConnectorRegistry, sink, registry, logger: createLogger({ level: 'error' }) });
  return { activities, calls, delivery };
}

/** Resolves once `calls` holds `entry` (the activity runs on its own while the delivery waits). */
async function until(calls: string[], entry: string): Promise<void> {
  for (let i = 0; i < 200 && !calls.includes(entry); i++) await new Promise((r) => setTimeout(r, 5));
  expect(calls).toContain(entry);
}

describe('issueReplacement', () => {
  it('records the replacement in the registry as its delivery starts, before the delivery is done, and only once', async () => {
    const { activities, calls, delivery } = setUp({ claimAnswer: {}, unlabelled: false });
    const issuing = activities.issueReplacement(input);
    await until(calls, 'deliver tok-1 started');
    await until(calls, 'record tok-1');
    // The record went out while the delivery was still under way (I8: other runs leave the replacement alone from then on).
    expect(calls).not.toContain('deliver tok-1 done');
    delivery.open();
    const out: ReplacementOutcome = await issuing;
    expect(out).toMatchObject({ issued: { replacementId: 'tok-1', consumerId: 'ci' } });
    // Sent as the delivery starts (the same turn), not after it.
    expect(calls).toEqual(['claim', 'mint', 'record tok-1', 'deliver tok-1 started', 'deliver tok-1 done']);
  });

  it('notes an unlabelled mint with the claim itself when the registry answers mintNoted', async () => {
    const { activities, calls, delivery } = setUp({ claimAnswer: { mintNoted: true }, unlabelled: true });
    delivery.open();
    await activities.issueReplacement(input);
    expect(calls.filter((c) => c.startsWith('claim') || c === 'noteUnlabelledMint')).toEqual(['claim (noteMint)']);
  });

  it('notes an unlabelled mint by its own update, before the mint, when the registry (one from before the field) does not answer mintNoted', async () => {
    const { activities, calls, delivery } = setUp({ claimAnswer: {}, unlabelled: true });
    delivery.open();
    await activities.issueReplacement(input);
    expect(calls.slice(0, 3)).toEqual(['claim (noteMint)', 'noteUnlabelledMint', 'mint']);
  });
});

// The drift watch's wire, both ends: TokenUseEvents → audit-feed → the emulators' audit logs → each connector's
// readTokenUse on the real SDKs (googleapis, Octokit, jsforce, fetch for Slack's Audit Logs API) → the same events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScenarioFile, Scenario, type EmulatedProvider } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from './tenant.ts';
import { feedAuditLogs, toWireRecords } from './audit-feed.ts';
import { providerManifest } from '../connectors/providers.ts';
import { ConnectorError, type Connector } from '../connectors/types.ts';
import type { TokenUseBatch } from '../connectors/audit-stream.ts';
import type { AuditCursor } from '../schemas/audit-cursor.ts';
import { TokenUseEvent, type AuditProvider, type TokenUseEventInput } from '../schemas/token-use.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const START = at(-60);

const GITHUB_HASH = 'q2SnX0bEJmvoq8fJcz0v3H0XbJtM4GmV0d3Qd3p0kJ8=';
const SF_USER = '005Hs000003DrftAAA';

const EVENTS: Record<AuditProvider, TokenUseEventInput[]> = {
  github: [
    { id: 'github:doc-use-0001', provider: 'github', at: at(0), action: 'use', tokenKey: GITHUB_HASH, credentialKind: 'pat', principal: 'acme-ci-bot', operation: 'git.clone', target: 'acme-robotics/firmware', ip: '203.0.113.7', userAgent: 'git/2.43.0', scopes: ['repo', 'read:org'] },
    { id: 'github:doc-auth-0002', provider: 'github', at: at(1), action: 'authorize', tokenKey: 'b3V0aC10b2tlbi1oYXNo', credentialKind: 'oauth_token', principal: 'dana-ops', operation: 'oauth_authorization.create', app: 'Acme CI Bridge', scopes: ['repo'] },
    { id: 'github:doc-gone-0003', provider: 'github', at: at(2), action: 'principal_status', principal: 'lee-frontend', principalStatus: 'offboarded', operation: 'org.remove_member' },
    { id: 'github:doc-app-0004', provider: 'github', at: at(3), action: 'app_retired', principal: 'dana-ops', app: 'circleci-checks', operation: 'integration_installation.destroy' },
  ],
  google: [
    { id: 'google:token:700000000000000001', provider: 'google', at: at(0), action: 'use', tokenKey: 'drift-integration@acme.example:482715630127-drift9c1kq2.apps.googleusercontent.com', credentialKind: 'oauth_grant', principal: 'drift-integration@acme.example', app: 'Drift', operation: 'gmail.users.messages.list', target: 'gmail', ip: '44.215.108.20', bytes: 48213 },
    { id: 'google:token:700000000000000002', provider: 'google', at: at(1), action: 'authorize', tokenKey: 'maria@acme.example:111-calendar.apps.googleusercontent.com', credentialKind: 'oauth_grant', principal: 'maria@acme.example', app: 'Calendly', scopes: ['https://www.googleapis.com/auth/calendar'] },
    { id: 'google:login:700000000000000003', provider: 'google', at: at(2), action: 'login', principal: 'maria@acme.example', operation: 'login_success', ip: '198.51.100.4' },
    { id: 'google:admin:700000000000000004', provider: 'google', at: at(3), action: 'principal_status', principal: 'former@acme.example', principalStatus: 'suspended', operation: 'SUSPEND_USER' },
  ],
  salesforce: [
    { id: 'salesforce:0YaHs00000Drft1AAA', provider: 'salesforce', at: at(0), action: 'use', tokenKey: `${SF_USER}:Drift`, credentialKind: 'oauth_grant', principal: SF_USER, app: 'Drift', operation: 'REST API', ip: '44.215.108.21', userAgent: 'python-requests/2.31', sessionId: 'sk-0001' },
    { id: 'salesforce:0YaHs00000Drft2AAA', provider: 'salesforce', at: at(1), action: 'refresh', tokenKey: `${SF_USER}:Drift`, credentialKind: 'oauth_grant', principal: SF_USER, app: 'Drift', operation: 'Remote Access 2.0', ip: '44.215.108.21' },
    { id: 'salesforce:0YaHs00000Drft3AAA', provider: 'salesforce', at: at(2), action: 'login', principal: SF_USER, operation: 'Application', ip: '198.51.100.9', userAgent: 'Chrome 126' },
  ],
  slack: [
    { id: 'slack:entry-use-1', provider: 'slack', at: at(0), action: 'use', tokenKey: 'W0SALESREP:user', principal: 'W0SALESREP', operation: 'file_downloaded', target: 'F0QUARTERLY', ip: '198.51.100.20', userAgent: 'Slack/4.41 (Mac)' },
    { id: 'slack:entry-anomaly-2', provider: 'slack', at: at(1), action: 'provider_anomaly', tokenKey: 'A0DRIFTAPP:bot', principal: 'W0SALESREP', app: 'A0DRIFTAPP', operation: 'anomaly', ip: '45.61.136.10', providerReasons: ['ip_address', 'asn'] },
    { id: 'slack:entry-scopes-3', provider: 'slack', at: at(2), action: 'scope_change', tokenKey: 'A0DRIFTAPP:bot', principal: 'W0SALESREP', app: 'A0DRIFTAPP', operation: 'app_scopes_expanded', scopes: ['files:read', 'channels:history'] },
    { id: 'slack:entry-gone-4', provider: 'slack', at: at(3), action: 'principal_status', principal: 'W0FORMER', principalStatus: 'offboarded', operation: 'user_deactivated' },
    { id: 'slack:entry-app-5', provider: 'slack', at: at(4), action: 'app_retired', principal: 'W0SALESREP', app: 'A0DRIFTAPP', operation: 'app_uninstalled' },
    { id: 'slack:entry-login-6', provider: 'slack', at: at(5), action: 'login', principal: 'W0SALESREP', operation: 'user_login', ip: '198.51.100.20' },
  ],
};

let tenant: LocalTenant;

function loadTenant(): void {
  const salesforce = { ...readScenarioFile('salesloft-drift', 'salesforce'), eventMonitoring: true };
  tenant.load(
    Scenario.parse({
      name: 'audit-feed-test',
      google: readScenarioFile('salesloft-drift', 'google'),
      salesforce,
      slack: readScenarioFile('salesloft-drift', 'slack'),
      github: readScenarioFile('circleci', 'github'),
    }),
  );
}

function connector(provider: AuditProvider): Connector & Required<Pick<Connector, 'readTokenUse'>> {
  const c = providerManifest(provider).create(tenant.connectorEnv());
  if (!c.readTokenUse) throw new Error(`${provider} has no readTokenUse`);
  return c as Connector & Required<Pick<Connector, 'readTokenUse'>>;
}

/** Only the events a test fed (the scenarios and Cordon's own calls write their own audit records too). */
const fed = (batch: TokenUseBatch, ids: Iterable<string>) => {
  const wanted = new Set(ids);
  return batch.events.filter((e) => wanted.has(e.id));
};
const withoutReceivedAt = (events: readonly TokenUseEvent[]) => events.map(({ receivedAt: _, ...rest }) => rest);

/** Reads until a read brings nothing new, with the cursor of each read. */
async function readAll(c: Connector & Required<Pick<Connector, 'readTokenUse'>>, options: { maxPages?: number } = {}) {
  const batches: TokenUseBatch[] = [];
  let cursor: AuditCursor | undefined;
  for (let i = 0; i < 50; i++) {
    const batch = await c.readTokenUse(cursor, { startAt: START, ...options });
    batches.push(batch);
    cursor = batch.cursor;
    if (!batch.events.length && !Object.values(batch.cursor.streams).some((s) => s.resume)) return batches;
  }
  throw new Error('the reader never caught up');
}

beforeAll(async () => {
  tenant = await startLocalTenant();
});
afterAll(async () => {
  await tenant?.close();
});

describe('round trip: events → audit-feed → emulator → readTokenUse', () => {
  for (const provider of ['github', 'google', 'salesforce', 'slack'] as const) {
    it(`${provider}: gives back the same events, then nothing new with the cursor`, async () => {
      loadTenant();
      const result = await feedAuditLogs(tenant, EVENTS[provider], { salesforceLoginEvents: true });
      expect(result.skipped).toEqual([]);
      // Events already in the reader's id form keep their ids.
      for (const e of EVENTS[provider]) expect(result.ids.get(e.id)).toEqual([e.id]);
      const c = connector(provider);
      const first = await c.readTokenUse(undefined, { startAt: START });
      const expected = EVENTS[provider].map((e) => TokenUseEvent.parse(e));
      expect(withoutReceivedAt(fed(first, result.ids.keys()))).toEqual(expected);
      for (const e of fed(first, result.ids.keys())) expect(Date.parse(e.receivedAt!)).toBeGreaterThan(T0);
      expect(first.stats.records).toBeGreaterThanOrEqual(EVENTS[provider].length);
      const again = await c.readTokenUse(first.cursor, { startAt: START });
      expect(fed(again, result.ids.keys())).toEqual([]);
      expect(again.stats.duplicates).toBeGreaterThanOrEqual(EVENTS[provider].length);
    });
  }

  it('salesforce without Event Monitoring reads LoginHistory: the same events, without the session key', async () => {
    tenant.load(Scenario.parse({ name: 'no-event-monitoring', salesforce: readScenarioFile('salesloft-drift', 'salesforce') }));
    const events = EVENTS.salesforce.map(({ sessionId: _, ...e }) => e);
    const result = await feedAuditLogs(tenant, events);
    expect(result.skipped).toEqual([]);
    const batch = await connector('salesforce').readTokenUse(undefined, { startAt: START });
    expect(Object.keys(batch.cursor.streams)).toEqual(['LoginHistory']);
    expect(withoutReceivedAt(fed(batch, result.ids.keys()))).toEqual(events.map((e) => TokenUseEvent.parse(e)));
  });
});

/** `n` use events of one provider, one per second from T0, in the reader's id form. */
function manyUses(provider: AuditProvider, n: number): TokenUseEventInput[] {
  return Array.from({ length: n }, (_, i) => {
    const when = new Date(T0 + i * 1000).toISOString();
    const pad = String(i).padStart(6, '0');
    switch (provider) {
      case 'github':
        return { id: `github:bulk-${pad}`, provider, at: when, action: 'use', tokenKey: GITHUB_HASH, principal: 'acme-ci-bot', operation: 'git.clone', target: `acme-robotics/repo-${i % 40}` };
      case 'google':
        return { id: `google:token:8${pad}`, provider, at: when, action: 'use', tokenKey: 'bulk@acme.example:222-bulk.apps.googleusercontent.com', credentialKind: 'oauth_grant', principal: 'bulk@acme.example', operation: 'drive.files.get', target: 'drive' };
      case 'salesforce':
        return { id: `salesforce:0YaHs0000${pad}AAA`, provider, at: when, action: 'use', tokenKey: `${SF_USER}:Drift`, credentialKind: 'oauth_grant', principal: SF_USER, app: 'Drift', operation: 'REST API' };
      case 'slack':
        return { id: `slack:bulk-${pad}`, provider, at: when, action: 'use', tokenKey: 'W0SALESREP:user', principal: 'W0SALESREP', operation: 'file_downloaded' };
    }
  });
}

/** The readers' page sizes: 2.5 pages of each. */
const PAGE = { github: 100, google: 1000, salesforce: 2000, slack: 1000 } as const;

describe('paging', () => {
  for (const provider of ['github', 'google', 'salesforce', 'slack'] as const) {
    it(`${provider}: reads every event across several pages, once`, async () => {
      loadTenant();
      const events = manyUses(provider, PAGE[provider] * 2.5);
      const result = await feedAuditLogs(tenant, events, { salesforceLoginEvents: true });
      expect(result.added[provider]).toBe(provider === 'salesforce' ? 2 * events.length : events.length);
      const batch = await connector(provider).readTokenUse(undefined, { startAt: START });
      const got = fed(batch, result.ids.keys());
      expect(got).toHaveLength(events.length);
      expect(new Set(got.map((e) => e.id)).size).toBe(events.length);
      expect(batch.stats.pages).toBeGreaterThanOrEqual(3);
    });
  }

  for (const provider of ['github', 'google'] as const) {
    it(`${provider}: a read that runs out of pages (maxPages 1) leaves the rest to the next reads, without duplicates`, async () => {
      loadTenant();
      const events = manyUses(provider, PAGE[provider] * 2.5);
      const result = await feedAuditLogs(tenant, events);
      const batches = await readAll(connector(provider), { maxPages: 1 });
      const got = batches.flatMap((b) => fed(b, result.ids.keys()));
      expect(got).toHaveLength(events.length);
      expect(new Set(got.map((e) => e.id)).size).toBe(events.length);
      expect(batches.length).toBeGreaterThanOrEqual(3);
      expect(batches[0]!.cursor.streams[provider === 'github' ? 'log' : 'token']!.resume).toBeDefined();
    });
  }
});

describe('lag', () => {
  for (const provider of ['google', 'slack'] as const) {
    it(`${provider}: a record that shows an hour late is picked up by the next read, once, and counted late`, async () => {
      loadTenant();
      const [onTime, late] = [EVENTS[provider][0]!, { ...EVENTS[provider][0]!, id: provider === 'google' ? 'google:token:700000000000000099' : 'slack:entry-late-99', at: at(-10) }];
      await feedAuditLogs(tenant, [onTime]);
      const slow = await feedAuditLogs(tenant, [late], { lagMs: { [provider]: 60 * 60_000 } });
      const c = connector(provider);
      tenant.setAuditTime(at(5));
      const first = await c.readTokenUse(undefined, { startAt: START, now: at(5) });
      expect(fed(first, [onTime.id, late.id]).map((e) => e.id)).toEqual([onTime.id]);
      tenant.setAuditTime(at(45));
      const stillHidden = await c.readTokenUse(first.cursor, { now: at(45) });
      expect(fed(stillHidden, [onTime.id, late.id])).toEqual([]);
      tenant.setAuditTime(at(51 + 60));
      const second = await c.readTokenUse(stillHidden.cursor, { now: at(51 + 60) });
      expect(fed(second, [onTime.id, late.id]).map((e) => e.id)).toEqual([...slow.ids.get(late.id)!]);
      expect(second.stats.late).toBeGreaterThanOrEqual(1);
      expect(second.events.find((e) => e.id === late.id)?.receivedAt).toBe(at(111));
      const third = await c.readTokenUse(second.cursor, { now: at(115) });
      expect(fed(third, [onTime.id, late.id])).toEqual([]);
    });
  }
});

describe('bad records and failing providers', () => {
  const malformed: Record<AuditProvider, unknown[]> = {
    github: [{ record: { _document_id: 'no-time', action: 'git.clone', actor: 'acme-ci-bot', hashed_token: GITHUB_HASH, created_at: 'not a time' } }],
    google: [{ record: { kind: 'admin#reports#activity', id: { time: at(1), uniqueQualifier: '42', applicationName: 'token' }, events: [{ type: 'auth', name: 'activity', parameters: [] }] } }],
    salesforce: [{ object: 'LoginEvent', record: { Id: '0LzHs00000BadRwAAA', LoginHistoryId: '0YaHs00000BadRwAAA', EventDate: at(1).replace('Z', '+0000'), Status: 'Success', LoginType: 'Remote Access 2.0' } }],
    slack: [{ record: { id: 'no-actor', date_create: Math.floor(T0 / 1000) + 60, action: 'file_downloaded', entity: { type: 'file', file: { id: 'F1' } } } }],
  };

  for (const provider of ['github', 'google', 'salesforce', 'slack'] as const) {
    it(`${provider}: a malformed record is counted and skipped, the good ones still come`, async () => {
      loadTenant();
      tenant.addAuditRecords(provider, malformed[provider]);
      const result = await feedAuditLogs(tenant, EVENTS[provider].slice(0, 1), { salesforceLoginEvents: true });
      const batch = await connector(provider).readTokenUse(undefined, { startAt: START });
      expect(batch.stats.malformed).toBeGreaterThanOrEqual(1);
      expect(fed(batch, result.ids.keys())).toHaveLength(1);
    });
  }

  const FAULT_OPERATION = { github: 'orgs.getAuditLog', google: 'activities.list', salesforce: 'query', slack: 'auditlogs.logs' } as const;
  for (const provider of ['github', 'google', 'salesforce', 'slack'] as const) {
    it(`${provider}: a rate limit on the audit route is a retryable ConnectorError${provider === 'github' || provider === 'slack' ? ' carrying Retry-After' : ''}`, async () => {
      loadTenant();
      const c = connector(provider);
      if (provider === 'salesforce') await c.readTokenUse(undefined, { startAt: START }); // log in and pick the object first
      tenant.injectFault({ provider: provider as EmulatedProvider, operation: FAULT_OPERATION[provider], type: 'rate_limited', retryAfterSec: 7, times: 1 });
      const err = await c.readTokenUse(undefined, { startAt: START }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).kind).toBe('rate_limited');
      expect((err as ConnectorError).retryable).toBe(true);
      if (provider === 'github' || provider === 'slack') expect((err as ConnectorError).options.retryAfterMs).toBe(7000);
      // The fault was used up: the next read goes through.
      await expect(c.readTokenUse(undefined, { startAt: START })).resolves.toBeDefined();
    });
  }

  it('a 5xx on the audit route is a retryable unavailable error', async () => {
    loadTenant();
    tenant.injectFault({ provider: 'github', operation: 'orgs.getAuditLog', type: 'unavailable', status: 502, times: 1 });
    const err = await connector('github').readTokenUse(undefined, { startAt: START }).catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('unavailable');
  });

  it("another provider's cursor, or one that is not a cursor, is refused naming the problem", async () => {
    loadTenant();
    const slack = await connector('slack').readTokenUse(undefined, { startAt: START });
    await expect(connector('github').readTokenUse(slack.cursor)).rejects.toThrow(/cursor given is slack's/);
    await expect(connector('github').readTokenUse({ provider: 'github', streams: { log: { seen: 'x' } } } as never)).rejects.toThrow(/streams\.log\.seen/);
  });
});

describe('audit-feed', () => {
  it('says which events a provider cannot carry, and why, instead of inventing records', () => {
    const plan = toWireRecords([
      { id: 'x1', provider: 'salesforce', at: at(0), action: 'app_retired', principal: SF_USER, app: 'Drift' },
      { id: 'x2', provider: 'github', at: at(0), action: 'use', principal: 'acme-ci-bot' },
      { id: 'x3', provider: 'slack', at: '2026-03-02T10:00:00.500Z', action: 'login', principal: 'W0SALESREP' },
      { id: 'x4', provider: 'google', at: at(0), action: 'refresh', principal: 'maria@acme.example' },
      { id: 'x5', provider: 'google', at: 'yesterday', action: 'use', principal: 'maria@acme.example' } as TokenUseEventInput,
    ]);
    expect(plan.skipped.map((s) => s.id)).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']);
    expect(plan.skipped[0]!.reason).toMatch(/use, refresh and login only/);
    expect(plan.skipped[1]!.reason).toMatch(/tokenKey/);
    expect(plan.skipped[2]!.reason).toMatch(/whole seconds/);
    expect(plan.skipped[4]!.reason).toMatch(/^not a TokenUseEvent: at:/);
    expect(Object.values(plan.records).flat()).toEqual([]);
  });

  it('an event with count n becomes n records read back as n events; other ids get the reader form', async () => {
    loadTenant();
    const events: TokenUseEventInput[] = [
      { id: 'spike', provider: 'github', at: at(0), action: 'use', tokenKey: GITHUB_HASH, principal: 'acme-ci-bot', operation: 'git.clone', count: 3 },
      { id: 'label-17', provider: 'slack', at: at(1), action: 'login', principal: 'W0SALESREP', operation: 'user_login' },
    ];
    const result = await feedAuditLogs({ controlUrl: tenant.controlUrl }, events);
    expect(result.added).toEqual({ google: 0, github: 3, salesforce: 0, slack: 1 });
    expect(result.ids.get('spike')).toHaveLength(3);
    expect(result.ids.get('label-17')![0]).toMatch(/^slack:[0-9a-f-]{36}$/);
    const github = await connector('github').readTokenUse(undefined, { startAt: START });
    expect(fed(github, result.ids.get('spike')!).map((e) => e.count)).toEqual([1, 1, 1]);
    const slack = await connector('slack').readTokenUse(undefined, { startAt: START });
    expect(fed(slack, result.ids.get('label-17')!)).toHaveLength(1);
  });
});

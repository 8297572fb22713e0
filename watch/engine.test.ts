import { describe, expect, it } from 'vitest';
import type { TokenUseEventInput } from '../schemas/token-use.ts';
import type { WatchPolicyInput } from '../schemas/verdict.ts';
import { openBaselineStore } from './baseline-store.ts';
import { openWatch } from './engine.ts';
import type { IpInfo, IpIntel } from './ip-intel.ts';

// A fake at the edge: four networks by address prefix (the real data is tested in ip-intel.test.ts).
const NETS: Record<string, IpInfo> = {
  '10.1.': { asn: 7922, asOrg: 'Comcast', country: 'US', asnClass: 'corporate_isp' },
  '10.2.': { asn: 16509, asOrg: 'Amazon', country: 'US', asnClass: 'cloud' },
  '10.3.': { asn: 14618, asOrg: 'Amazon', country: 'US', asnClass: 'cloud' },
  '10.9.': { asn: 14061, asOrg: 'DigitalOcean, LLC', country: 'US', asnClass: 'hosting' },
  '10.7.': { asn: 24940, asOrg: 'Hetzner', country: 'DE', asnClass: 'hosting' },
  '10.8.': { asn: 12389, asOrg: 'Rostelecom', country: 'RU', asnClass: 'corporate_isp' },
};
const fakeIntel: IpIntel = {
  sources: { asn: 'fake', country: 'fake' },
  lookup: (ip) => Object.entries(NETS).find(([prefix]) => ip.startsWith(prefix))?.[1] ?? (ip.includes('.') ? { asnClass: 'corporate_isp' } : undefined),
};

const T0 = Date.parse('2026-10-01T00:00:00Z');
const HOUR = 3_600_000;
let seq = 0;

function ev(tokenKey: string, at: number, extra: Partial<TokenUseEventInput> = {}): TokenUseEventInput {
  return {
    id: `e${seq++}`,
    provider: 'github',
    at: new Date(at).toISOString(),
    action: 'use',
    tokenKey,
    principal: 'dev@acme.example',
    app: 'deploy-bot',
    operation: 'git.clone',
    target: 'acme/api',
    ip: '10.1.0.5',
    userAgent: 'git/2.44.0',
    scopes: ['repo'],
    count: 3,
    ...extra,
  };
}

/** Ten days of ordinary use, four working hours a day. */
function history(tokenKey: string, extra: Partial<TokenUseEventInput> = {}): TokenUseEventInput[] {
  const out: TokenUseEventInput[] = [];
  for (let d = 0; d < 10; d++) for (let h = 9; h < 13; h++) out.push(ev(tokenKey, T0 + d * 24 * HOUR + h * HOUR, extra));
  return out;
}

function watchWith(policy: WatchPolicyInput = {}) {
  const store = openBaselineStore(':memory:');
  return { store, watch: openWatch({ store, ipIntel: fakeIntel, policy }) };
}

const DAY11 = T0 + 10 * 24 * HOUR + 10 * HOUR;

describe('the watch engine, on bad input', () => {
  it('skips and counts malformed events, and says which field was wrong without echoing values', () => {
    const { watch } = watchWith();
    const good = ev('tok-a', T0);
    const result = watch.ingest(
      [null, 42, 'text', [], {}, { id: 'x1' }, { ...good, id: 'bad-at', at: 'yesterday' }, { ...good, id: 'bad-count', count: -1 }, { ...good, id: 'bad-action', action: 'exfiltrate' }, good],
      new Date(T0 + HOUR),
    );
    expect(result.stats).toMatchObject({ received: 10, malformed: 9, accepted: 1, duplicate: 0 });
    expect(result.stats.malformedSamples).toHaveLength(5);
    expect(result.stats.malformedSamples[0]).toBe('event 0: not an object');
    const later = watch.ingest([{ ...good, id: 'bad-at', at: 'yesterday' }], new Date(T0 + HOUR));
    expect(later.stats.malformedSamples[0]).toMatch(/^event 0 \(bad-at\): at: /);
    expect(later.stats.malformedSamples[0]).not.toContain('yesterday');
  });

  it('accepts events with unknown fields, drops the fields and counts them', () => {
    const { watch, store } = watchWith();
    const result = watch.ingest([{ ...ev('tok-b', T0), futureField: { nested: true } }], new Date(T0 + HOUR));
    expect(result.stats).toMatchObject({ accepted: 1, unknownFields: 1, malformed: 0 });
    expect(store.getBaseline('tok-b')?.events).toBe(1);
  });

  it('skips duplicates within a batch and across ingests, and never opens a second verdict', () => {
    const { watch } = watchWith();
    watch.ingest(history('tok-c'), new Date(DAY11));
    const attack = [0, 1, 2].map((i) => ev('tok-c', DAY11 + i * 60_000, { ip: '10.9.0.7', userAgent: 'python-requests/2.31.0' }));
    const first = watch.ingest([...attack, attack[0]!], new Date(DAY11 + HOUR));
    expect(first.stats.duplicate).toBe(1);
    expect(first.verdicts).toHaveLength(1);
    expect(first.stats.verdictsOpened).toBe(1);
    const again = watch.ingest(attack, new Date(DAY11 + 2 * HOUR));
    expect(again.stats).toMatchObject({ duplicate: 3, accepted: 0, verdictsOpened: 0, verdictsUpdated: 0 });
    expect(again.verdicts).toEqual([]);
    expect(watch.openVerdicts()).toHaveLength(1);
    // New activity of the same kind updates the open verdict: same id, more events behind it.
    const more = watch.ingest([ev('tok-c', DAY11 + 5 * 60_000, { ip: '10.7.0.1', userAgent: 'python-requests/2.31.0' })], new Date(DAY11 + 3 * HOUR));
    expect(more.stats).toMatchObject({ verdictsOpened: 0, verdictsUpdated: 1 });
    expect(more.verdicts[0]!.id).toBe(first.verdicts[0]!.id);
    expect(more.verdicts[0]!.reasons.some((r) => r.text.includes('AS24940'))).toBe(true);
    expect(watch.openVerdicts()).toHaveLength(1);
  });

  it('skips events older than the token’s last event by more than the lateness allowed, and processes late ones within it', () => {
    const { watch } = watchWith({ maxLatenessHours: 6 });
    watch.ingest([ev('tok-d', T0 + 48 * HOUR)], new Date(T0 + 49 * HOUR));
    const result = watch.ingest([ev('tok-d', T0 + 45 * HOUR), ev('tok-d', T0 + 10 * HOUR)], new Date(T0 + 50 * HOUR));
    expect(result.stats).toMatchObject({ late: 1, outOfOrder: 1, accepted: 1 });
  });
});

describe('the watch engine, on drift', () => {
  it('says why, in words, with the events behind it: a new hosting ASN and a new client', () => {
    const { watch } = watchWith();
    watch.ingest(history('tok-e'), new Date(DAY11));
    const attack = ev('tok-e', DAY11, { ip: '10.9.0.7', userAgent: 'python-requests/2.31.0' });
    const [verdict] = watch.ingest([attack], new Date(DAY11 + HOUR)).verdicts;
    expect(verdict).toMatchObject({ tokenKey: 'tok-e', status: 'open', action: 'staged', provider: 'github', principal: 'dev@acme.example', app: 'deploy-bot' });
    expect(verdict!.score).toBeGreaterThanOrEqual(50);
    expect(verdict!.triggers).toEqual(['new_infrastructure']);
    const texts = verdict!.reasons.map((r) => r.text);
    expect(texts).toContain('used from AS14061 (DigitalOcean, LLC; hosting), never seen in 10 days (from 10.9.0.7)');
    expect(texts.some((t) => t.startsWith('moved to a hosting network'))).toBe(true);
    expect(texts.some((t) => t.startsWith('new client class python'))).toBe(true);
    for (const r of verdict!.reasons) expect(r.eventIds).toEqual([attack.id]);
  });

  it('stays quiet about drift while the token is learning', () => {
    const { watch } = watchWith();
    watch.ingest([ev('tok-f', T0), ev('tok-f', T0 + HOUR)], new Date(T0 + 2 * HOUR));
    const result = watch.ingest([ev('tok-f', T0 + 3 * HOUR, { ip: '10.9.0.7', userAgent: 'curl/8.0' })], new Date(T0 + 4 * HOUR));
    expect(result.findings).toEqual([]);
    expect(result.verdicts).toEqual([]);
  });

  it('a weak finding alone opens nothing; it adds up with another within a day', () => {
    const { watch } = watchWith();
    watch.ingest(history('tok-g'), new Date(DAY11));
    const isp = watch.ingest([ev('tok-g', DAY11, { ip: '10.8.0.1' })], new Date(DAY11 + HOUR));
    expect(isp.findings.map((f) => f.signal).sort()).toEqual(['new_asn', 'new_country']);
    expect(isp.verdicts).toEqual([]); // 25 and 25: 44, below 50
    const op = watch.ingest([ev('tok-g', DAY11 + 2 * HOUR, { ip: '10.8.0.1', operation: 'secret_scanning.alerts' })], new Date(DAY11 + 3 * HOUR));
    expect(op.verdicts).toHaveLength(1);
    expect(op.verdicts[0]!.reasons.map((r) => r.signal).sort()).toEqual(['new_asn', 'new_country', 'new_operation_family']);
  });

  it('a volume spike is measured against the token’s own p99', () => {
    const { watch } = watchWith();
    const quiet: TokenUseEventInput[] = [];
    for (let h = 0; h < 40; h++) quiet.push(ev('tok-h', T0 + h * 6 * HOUR, { count: 10 + (h % 3) }));
    watch.ingest(quiet, new Date(T0 + 241 * HOUR));
    const burst = watch.ingest([ev('tok-h', T0 + 250 * HOUR, { count: 4812 })], new Date(T0 + 251 * HOUR));
    const reason = burst.verdicts[0]!.reasons.find((r) => r.signal === 'volume_spike')!;
    expect(reason.text).toMatch(/^4,812 calls in the hour from 10:00 UTC against a p99 of 12 per active hour/);
    const normal = watch.ingest([ev('tok-h', T0 + 260 * HOUR, { count: 50 })], new Date(T0 + 261 * HOUR));
    expect(normal.findings.filter((f) => f.signal === 'volume_spike')).toEqual([]);
  });

  it('vendor automation rotating within its allowlisted ASNs is not new infrastructure; a hosting ASN still is', () => {
    const policy: WatchPolicyInput = { vendors: [{ name: 'Drift', apps: ['Drift'], asns: [16509, 14618] }] };
    const { watch } = watchWith(policy);
    watch.ingest(history('tok-i', { app: 'Drift', ip: '10.2.0.1' }), new Date(DAY11));
    const rotated = watch.ingest([ev('tok-i', DAY11, { app: 'Drift', ip: '10.3.0.99' })], new Date(DAY11 + HOUR));
    expect(rotated.findings).toEqual([]);
    const stolen = watch.ingest([ev('tok-i', DAY11 + 2 * HOUR, { app: 'Drift', ip: '10.9.0.3' })], new Date(DAY11 + 3 * HOUR));
    expect(stolen.findings.map((f) => f.signal).sort()).toEqual(['asn_class_change', 'new_asn']);
  });

  it('flags a token with no purpose and no owner as unattributed, and an inventory entry attributes it', () => {
    const { watch } = watchWith({ inventory: [{ tokenKey: 'tok-known', owner: 'dev@acme.example', purpose: 'release tooling' }] });
    const result = watch.ingest([ev('tok-orphan', T0, { app: undefined }), ev('tok-known', T0, { app: undefined })], new Date(T0 + HOUR));
    expect(result.verdicts.map((v) => [v.tokenKey, v.triggers])).toEqual([['tok-orphan', ['unattributed']]]);
  });
});

describe('the watch engine, on lifecycle and revocation', () => {
  it('use after revocation opens a verdict; direct containment only when the policy allows it', () => {
    for (const directContainment of [false, true]) {
      const { watch } = watchWith({ directContainment });
      watch.ingest(history('tok-j'), new Date(DAY11));
      const revocations = [{ tokenKey: 'tok-j', at: new Date(DAY11).toISOString() }];
      const within = watch.ingest([ev('tok-j', DAY11 + 30_000)], new Date(DAY11 + HOUR), { revocations });
      expect(within.verdicts).toEqual([]); // a request in flight at the revocation
      const after = watch.ingest([ev('tok-j', DAY11 + 2 * HOUR)], new Date(DAY11 + 3 * HOUR));
      expect(after.verdicts[0]).toMatchObject({ triggers: ['use_after_revocation'], action: directContainment ? 'direct' : 'staged', severity: 'critical' });
      expect(after.verdicts[0]!.reasons[0]!.text).toMatch(/^used 120 minutes after Cordon revoked it/);
    }
  });

  it('use after the owner was offboarded, or the app retired; a role change is not direct', () => {
    const { watch } = watchWith({ directContainment: true });
    watch.ingest([...history('tok-k', { principal: 'leaver@acme.example' }), ...history('tok-l', { principal: 'mover@acme.example' })], new Date(DAY11));
    const status = (principal: string, principalStatus: 'offboarded' | 'role_changed') => ev('x', DAY11, { tokenKey: undefined, principal, action: 'principal_status', principalStatus });
    const lifecycle = watch.ingest([status('leaver@acme.example', 'offboarded'), status('mover@acme.example', 'role_changed')], new Date(DAY11 + HOUR));
    expect(lifecycle.stats.withoutToken).toBe(2);
    const uses = watch.ingest([ev('tok-k', DAY11 + 5 * HOUR, { principal: 'leaver@acme.example' }), ev('tok-l', DAY11 + 5 * HOUR, { principal: 'mover@acme.example' })], new Date(DAY11 + 6 * HOUR));
    const byToken = Object.fromEntries(uses.verdicts.map((v) => [v.tokenKey, v]));
    expect(byToken['tok-k']).toMatchObject({ triggers: ['owner_or_app_lifecycle'], action: 'direct' });
    expect(byToken['tok-l']).toMatchObject({ triggers: ['owner_or_app_lifecycle'], action: 'staged', score: 50 });
    watch.ingest([ev('y', DAY11 + 6 * HOUR, { tokenKey: undefined, action: 'app_retired', app: 'old-bot' })], new Date(DAY11 + 7 * HOUR));
    const retired = watch.ingest([ev('tok-m', DAY11 + 8 * HOUR, { app: 'old-bot', principal: 'bot@acme.example' })], new Date(DAY11 + 9 * HOUR));
    expect(retired.verdicts[0]!.reasons[0]!.text).toMatch(/^used after its app old-bot was retired/);
  });
});

describe('dismissals', () => {
  it('a dismissal with a reason is recorded and teaches the baseline: the same network is known, another is not', () => {
    const { watch, store } = watchWith();
    watch.ingest(history('tok-n'), new Date(DAY11));
    const opened = watch.ingest([ev('tok-n', DAY11, { ip: '10.9.0.7' })], new Date(DAY11 + HOUR)).verdicts[0]!;
    expect(() => watch.dismiss('tok-n', '  ', 'alice')).toThrow(/^dismiss: reason: must say why/);
    const dismissed = watch.dismiss('tok-n', 'our new build farm on DigitalOcean (CHG-1234)', 'alice', new Date(DAY11 + 2 * HOUR));
    expect(dismissed).toMatchObject({ id: opened.id, status: 'dismissed', dismissal: { reason: 'our new build farm on DigitalOcean (CHG-1234)', by: 'alice' } });
    expect(store.dismissals('tok-n')).toEqual([{ verdictId: opened.id, dismissal: dismissed.dismissal }]);
    expect(watch.openVerdicts()).toEqual([]);
    expect(() => watch.dismiss('tok-n', 'again', 'alice')).toThrow('dismiss: token tok-n has no open verdict');
    const same = watch.ingest([ev('tok-n', DAY11 + 3 * HOUR, { ip: '10.9.0.8' })], new Date(DAY11 + 4 * HOUR));
    expect(same.findings).toEqual([]);
    expect(watch.baseline('tok-n', new Date(DAY11 + 4 * HOUR))!.asns.map((a) => a.value)).toContain('14061');
    const other = watch.ingest([ev('tok-n', DAY11 + 5 * HOUR, { ip: '10.7.0.1' })], new Date(DAY11 + 6 * HOUR));
    expect(other.findings.map((f) => f.signal)).toContain('new_asn');
    expect(other.findings.map((f) => f.signal)).not.toContain('asn_class_change'); // hosting is known now
  });
});

describe('the watch policy', () => {
  it('refuses a bad policy naming the field and the reason', () => {
    const store = openBaselineStore(':memory:');
    expect(() => openWatch({ store, ipIntel: fakeIntel, policy: { threshold: 0 } })).toThrow(/^watch policy: threshold: /);
    expect(() => openWatch({ store, ipIntel: fakeIntel, policy: { vendors: [{ name: 'any', asns: [16509] }] } })).toThrow(
      'watch policy: vendors.0.apps: must name at least one of apps, tokenKeys or principals (an allowlist for every token would blind the watch)',
    );
    expect(() => openWatch({ store, ipIntel: fakeIntel, policy: { vendors: [{ name: 'x', apps: ['a'], cidrs: ['10.0.0.0'] }] } })).toThrow(/^watch policy: vendors\.0\.cidrs\.0: must be a CIDR block/);
    expect(() => openWatch({ store, ipIntel: fakeIntel, policy: { thresold: 40 } as never })).toThrow(/^watch policy: \(root\): Unrecognized key: "thresold"/);
  });
});

describe('the watch engine, on lifecycle records that arrive late', () => {
  it('an offboarding or app retirement read after the token’s last use still finds the use that came after it', () => {
    const { watch } = watchWith();
    watch.ingest(history('tok-o', { principal: 'leaver@acme.example', app: 'old-app' }), new Date(DAY11));
    const use = ev('tok-o', DAY11 + 5 * HOUR, { principal: 'leaver@acme.example', app: 'old-app' });
    expect(watch.ingest([use], new Date(DAY11 + 6 * HOUR)).verdicts).toEqual([]);
    // The Reports API delivers the offboarding, dated before the use, an hour later.
    const offboarded = ev('x', DAY11 + 2 * HOUR, { tokenKey: undefined, principal: 'leaver@acme.example', action: 'principal_status', principalStatus: 'offboarded' });
    const [verdict] = watch.ingest([offboarded], new Date(DAY11 + 7 * HOUR)).verdicts;
    expect(verdict).toMatchObject({ tokenKey: 'tok-o', triggers: ['owner_or_app_lifecycle'] });
    expect(verdict!.reasons[0]).toMatchObject({ eventIds: [use.id], subject: 'offboarded' });
    expect(verdict!.reasons[0]!.text).toMatch(/^used 3 h after its owner leaver@acme\.example was offboarded/);
    // Retiring an app before the use the same way, for a token of another owner.
    watch.ingest(history('tok-p', { principal: 'bot@acme.example', app: 'retired-app' }), new Date(DAY11));
    const retired = ev('y', T0 + 9 * 24 * HOUR, { tokenKey: undefined, principal: 'admin@acme.example', action: 'app_retired', app: 'retired-app' });
    const late = watch.ingest([retired], new Date(DAY11 + 8 * HOUR)).verdicts;
    expect(late.map((v) => [v.tokenKey, v.reasons[0]!.subject])).toEqual([['tok-p', 'app_retired']]);
  });
});

describe('secrets in audit fields', () => {
  it('masks a credential-shaped string in a user agent or a target before it reaches a verdict', () => {
    const { watch, store } = watchWith();
    watch.ingest(history('tok-q'), new Date(DAY11));
    const leaked = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
    const result = watch.ingest([ev('tok-q', DAY11, { ip: '10.9.0.7', userAgent: `curl/8.0 (${leaked})`, operation: 'contents.read', target: `acme/${leaked}` })], new Date(DAY11 + HOUR));
    const json = JSON.stringify([result.verdicts, watch.baseline('tok-q', new Date(DAY11 + HOUR)), store.getBaseline('tok-q')?.userAgents]);
    expect(result.verdicts).toHaveLength(1);
    expect(json).toContain('ghp_…[redacted]');
    expect(json).not.toContain(leaked);
  });
});

describe('an ingest that fails half-way', () => {
  it('leaves nothing behind, and the retry counts each event once and opens the verdict once', () => {
    const store = openBaselineStore(':memory:');
    let failNext = false;
    const flaky = {
      ...store,
      putVerdict: (v: Parameters<typeof store.putVerdict>[0]) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk I/O error');
        }
        store.putVerdict(v);
      },
    };
    const watch = openWatch({ store: flaky, ipIntel: fakeIntel });
    watch.ingest(history('tok-r'), new Date(DAY11));
    const before = store.getBaseline('tok-r')!.events;
    const attack = [ev('tok-r', DAY11, { ip: '10.9.0.7' }), ev('tok-r', DAY11 + 60_000, { ip: '10.9.0.7' })];
    failNext = true;
    expect(() => watch.ingest(attack, new Date(DAY11 + HOUR))).toThrow('disk I/O error');
    expect(store.getBaseline('tok-r')!.events).toBe(before);
    expect(store.hasEvent(attack[0]!.id)).toBe(false);
    const retry = watch.ingest(attack, new Date(DAY11 + HOUR));
    expect(retry.stats).toMatchObject({ accepted: 2, duplicate: 0, verdictsOpened: 1 });
    expect(store.getBaseline('tok-r')!.events).toBe(before + 2);
    expect(watch.openVerdicts()).toHaveLength(1);
  });
});

describe('the provider’s own anomaly engine', () => {
  it('passes Slack’s anomaly reasons through as a finding that adds up with the watch’s own', () => {
    const { watch } = watchWith();
    watch.ingest(history('tok-s', { provider: 'slack' }), new Date(DAY11));
    const anomaly = ev('tok-s', DAY11, { provider: 'slack', action: 'provider_anomaly', providerReasons: ['asn', 'session_fingerprint'], operation: 'anomaly' });
    const alone = watch.ingest([anomaly], new Date(DAY11 + HOUR));
    expect(alone.findings.map((f) => f.signal)).toEqual(['provider_anomaly']);
    expect(alone.verdicts).toEqual([]); // 40 alone
    const [verdict] = watch.ingest([ev('tok-s', DAY11 + 2 * HOUR, { provider: 'slack', ip: '10.8.0.9' })], new Date(DAY11 + 3 * HOUR)).verdicts;
    expect(verdict!.triggers.sort()).toEqual(['new_infrastructure', 'provider_anomaly']);
    expect(verdict!.reasons.find((r) => r.signal === 'provider_anomaly')!.text).toBe('slack flagged it as anomalous: asn, session_fingerprint');
  });
});

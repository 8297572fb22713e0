// Labelled token-use traffic for the drift watch: 30 days of benign use for hundreds of tokens across the four
// providers, with injected attacks and the labels that say which events are attacks and which signals must fire
// (docs/drift-watch.md, "Labelled traffic"). Seeded and pure: the same options give the same events.
//
// Benign use has diurnal, weekday-shaped volume in each owner's time zone, realistic operation mixes, client
// upgrades, vendor automation rotating addresses within its allowlisted cloud, and noise a watch should not alarm
// on: people changing ISP, travelling, trying a new API, busy afternoons. One kind of benign change it should
// alarm on is there too, unlabelled: automation that moves to another cloud unannounced (about 2 % of cloud
// tokens) — the false alarms the measurement counts. Attacks are modelled on public incidents.
import { createHash } from 'node:crypto';
import type { AuditProvider, TokenUseEventInput } from '../../schemas/token-use.ts';
import type { InventoryEntry, Revocation, SignalName, VendorAllowlist } from '../../schemas/verdict.ts';
import type { AttackLabel, LabelledTraffic } from '../../watch/quality.ts';
import { addressIn, ISPS_BY_COUNTRY, NETWORKS, type NetworkName } from './networks.ts';

export interface TrafficOptions {
  seed: number;
  /** benign tokens (attack tokens come on top) */
  tokens?: number;
  days?: number;
  start?: string;
  /** instances of each attack scenario */
  attacksPerScenario?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: small, fast, good enough for traffic; seeded so runs repeat. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    chance: (p: number) => next() < p,
    between: (lo: number, hi: number) => lo + next() * (hi - lo),
    poisson(lambda: number): number {
      if (lambda <= 0) return 0;
      const l = Math.exp(-lambda);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= next();
      } while (p > l);
      return k - 1;
    },
  };
}
type Rng = ReturnType<typeof rng>;

type Kind = 'google-user' | 'google-service' | 'github-ci' | 'github-dev' | 'salesforce-vendor' | 'salesforce-user' | 'slack-bot' | 'slack-user';

interface Op {
  operation: string;
  targets: readonly string[];
  count: readonly [number, number];
}

interface KindSpec {
  provider: AuditProvider;
  human: boolean;
  /** records per busy hour */
  rate: number;
  ops: readonly Op[];
  scopes: readonly string[];
  userAgents: readonly string[];
  apps?: readonly string[];
  /** vendor or CI cloud: the token's traffic rotates through these networks, allowlisted */
  cloud?: readonly NetworkName[];
  /** its own cloud, not allowlisted (a service account's server) */
  ownCloud?: NetworkName;
  share: number;
}

const GOOGLE_CLIENTS = ['calendly', 'zoom', 'notion', 'miro', 'docusign'];
const SALESFORCE_VENDORS = ['Drift', 'Gong', 'Outreach'];
const SLACK_BOTS = ['PagerDuty', 'Jira Cloud', 'Statuspage'];
const REPOS = Array.from({ length: 12 }, (_, i) => `acme/service-${i}`);

const KINDS: Readonly<Record<Kind, KindSpec>> = {
  'google-user': {
    provider: 'google',
    human: true,
    rate: 1.6,
    ops: [
      { operation: 'calendar.events.list', targets: ['calendar'], count: [1, 4] },
      { operation: 'calendar.events.insert', targets: ['calendar'], count: [1, 1] },
      { operation: 'drive.files.list', targets: ['drive'], count: [1, 6] },
      { operation: 'gmail.users.messages.list', targets: ['gmail'], count: [1, 3] },
    ],
    scopes: ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/drive.readonly'],
    userAgents: ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36', 'google-api-nodejs-client/9.14.0 (gzip)'],
    apps: GOOGLE_CLIENTS,
    share: 0.22,
  },
  'google-service': {
    provider: 'google',
    human: false,
    rate: 1.2,
    ops: [
      { operation: 'admin.directory.users.list', targets: ['admin'], count: [1, 20] },
      { operation: 'reports.activities.list', targets: ['reports'], count: [1, 10] },
    ],
    scopes: ['https://www.googleapis.com/auth/admin.directory.user.readonly', 'https://www.googleapis.com/auth/admin.reports.audit.readonly'],
    userAgents: ['google-api-python-client/2.140.0 gdata-python/2.0.18'],
    apps: ['directory-sync', 'audit-export'],
    ownCloud: 'gcp',
    share: 0.08,
  },
  'github-ci': {
    provider: 'github',
    human: false,
    rate: 1.4,
    ops: [
      { operation: 'git.clone', targets: REPOS, count: [1, 1] },
      { operation: 'git.fetch', targets: REPOS, count: [1, 2] },
      { operation: 'api.request', targets: ['actions'], count: [1, 5] },
    ],
    scopes: ['repo', 'read:packages'],
    userAgents: ['git/2.45.1'],
    cloud: ['azure'],
    share: 0.12,
  },
  'github-dev': {
    provider: 'github',
    human: true,
    rate: 1.3,
    ops: [
      { operation: 'git.clone', targets: REPOS, count: [1, 1] },
      { operation: 'git.push', targets: REPOS, count: [1, 1] },
      { operation: 'api.request', targets: ['pulls', 'issues'], count: [1, 8] },
    ],
    scopes: ['repo', 'workflow'],
    userAgents: ['git/2.44.0', 'gh/2.55.0 (darwin)'],
    share: 0.14,
  },
  'salesforce-vendor': {
    provider: 'salesforce',
    human: true, // follows the customer's working day
    rate: 2.2,
    ops: [
      { operation: 'query.Account', targets: ['Account'], count: [1, 40] },
      { operation: 'query.Contact', targets: ['Contact'], count: [1, 40] },
      { operation: 'query.Lead', targets: ['Lead'], count: [1, 25] },
      { operation: 'update.Lead', targets: ['Lead'], count: [1, 5] },
    ],
    scopes: ['api', 'refresh_token'],
    userAgents: ['Drift-Salesforce-Sync/3.4.1'],
    apps: SALESFORCE_VENDORS,
    cloud: ['aws', 'awsEast', 'awsEu'],
    share: 0.12,
  },
  'salesforce-user': {
    provider: 'salesforce',
    human: true,
    rate: 1.1,
    ops: [
      { operation: 'query.Opportunity', targets: ['Opportunity'], count: [1, 15] },
      { operation: 'update.Opportunity', targets: ['Opportunity'], count: [1, 2] },
      { operation: 'query.Account', targets: ['Account'], count: [1, 10] },
    ],
    scopes: ['api', 'web', 'refresh_token'],
    userAgents: ['SalesforceMobileSDK/12.1.0 iPhone14,2 iOS/17.5'],
    apps: ['Salesforce Mobile'],
    share: 0.12,
  },
  'slack-bot': {
    provider: 'slack',
    human: false,
    rate: 1.5,
    ops: [
      { operation: 'chat.postMessage', targets: ['C-incidents', 'C-alerts'], count: [1, 3] },
      { operation: 'conversations.history', targets: ['C-incidents'], count: [1, 2] },
    ],
    scopes: ['chat:write', 'channels:read'],
    userAgents: ['Slack-Bolt-Java/1.40.0'],
    apps: SLACK_BOTS,
    cloud: ['aws', 'awsEast'],
    share: 0.1,
  },
  'slack-user': {
    provider: 'slack',
    human: true,
    rate: 1.0,
    ops: [
      { operation: 'conversations.history', targets: ['C-general', 'C-eng'], count: [1, 4] },
      { operation: 'search.messages', targets: ['search'], count: [1, 2] },
    ],
    scopes: ['channels:history', 'search:read'],
    userAgents: ['Slack/4.39.95 (Macintosh; Mac OS X 14.5)'],
    apps: ['Slack Desktop'],
    share: 0.1,
  },
};

const HOME_COUNTRIES: readonly [string, number, number][] = [
  // country, share, UTC offset in hours
  ['US', 0.58, -6],
  ['GB', 0.12, 0],
  ['DE', 0.08, 1],
  ['FR', 0.08, 1],
  ['IT', 0.04, 1],
  ['JP', 0.05, 9],
  ['IN', 0.05, 5],
];

/** Calls per busy hour → expected records in local hour `h` on a weekday or a weekend day. */
function diurnal(human: boolean, localHour: number, weekend: boolean): number {
  if (!human) return 0.6 + 0.4 * Math.sin(((localHour - 6) / 24) * 2 * Math.PI) ** 2;
  const day = localHour >= 8 && localHour < 18 ? 1 : localHour >= 7 && localHour < 21 ? 0.25 : 0.02;
  return weekend ? day * 0.1 : day;
}

interface Token {
  kind: Kind;
  spec: KindSpec;
  tokenKey: string;
  principal: string;
  app?: string;
  country: string;
  tzOffset: number;
  office?: NetworkName;
  home?: NetworkName;
  /** a home ISP change on this day (benign noise) */
  ispChange?: { day: number; to: NetworkName };
  /** a trip abroad: [startHour, endHour) absolute hours since start, through this network */
  trip?: { from: number; to: number; network: NetworkName };
  /** benign, and unannounced: the automation moved to another cloud on this day (a false alarm the watch should raise) */
  cloudMove?: { day: number; to: NetworkName };
  /** a new API tried once on this day (benign noise) */
  tryOp?: { day: number; op: Op };
  /** a busy afternoon at 2.5× on this day */
  busyDay?: number;
  /** stops being used at this absolute hour (revoked, offboarded, retired) */
  stopAt?: number;
  /** active only in these days [from, to) */
  activeDays?: readonly [number, number];
  uaVersionBump?: number;
}

function hashKey(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

function chooseCountry(r: Rng): [string, number] {
  let x = r.next();
  for (const [c, share, tz] of HOME_COUNTRIES) {
    if ((x -= share) <= 0) return [c, tz];
  }
  return ['US', -6];
}

function makeToken(r: Rng, kind: Kind, index: number, seed: number, days: number, homeInUs = false): Token {
  const spec = KINDS[kind];
  const [country, tzOffset] = spec.human && !spec.cloud && !homeInUs ? chooseCountry(r) : ['US', -6];
  const person = `${kind.split('-')[0]}${index}@acme.example`;
  const app = spec.apps ? r.pick(spec.apps) : undefined;
  const principal = kind === 'salesforce-vendor' ? `integration-${app!.toLowerCase()}-${index}@acme.example` : kind === 'github-ci' ? `ci-bot-${index}` : kind === 'slack-bot' ? `B${index.toString(36).toUpperCase()}` : person;
  const tokenKey =
    spec.provider === 'github'
      ? hashKey('github', seed, index)
      : spec.provider === 'google'
        ? `${principal}:${app}.apps.googleusercontent.com`
        : spec.provider === 'salesforce'
          ? `005${hashKey('sf', seed, index).slice(0, 12)}:${app}`
          : `${principal}:${kind === 'slack-bot' ? 'bot' : 'user'}`;
  const token: Token = { kind, spec, tokenKey, principal, country, tzOffset };
  if (app) token.app = app;
  if (!spec.cloud && !spec.ownCloud) {
    const isps = ISPS_BY_COUNTRY[country]!;
    token.office = isps[0]!;
    token.home = isps.length > 1 ? isps[1 + r.int(isps.length - 1)]! : isps[0]!;
    if (spec.human && isps.length > 2 && r.chance(0.15)) token.ispChange = { day: 8 + r.int(days - 10), to: isps.find((n) => n !== token.home && n !== token.office)! };
    if (spec.human && r.chance(0.04)) {
      const abroad = r.pick(Object.keys(ISPS_BY_COUNTRY).filter((c) => c !== country));
      const from = (9 + r.int(days - 14)) * 24 + 12;
      token.trip = { from, to: from + 72 + r.int(48), network: ISPS_BY_COUNTRY[abroad]![0]! };
    }
  }
  if ((spec.cloud || spec.ownCloud) && r.chance(0.02)) token.cloudMove = { day: 10 + r.int(days - 12), to: spec.ownCloud === 'gcp' ? 'aws' : 'gcp' };
  if (r.chance(0.08)) {
    const others = Object.values(KINDS)
      .filter((k) => k.provider === spec.provider && k !== spec)
      .flatMap((k) => k.ops);
    if (others.length) token.tryOp = { day: 8 + r.int(days - 9), op: r.pick(others) };
  }
  if (r.chance(0.1)) token.busyDay = 8 + r.int(days - 9);
  if (r.chance(0.3)) token.uaVersionBump = 5 + r.int(days - 6);
  return token;
}

function bumpVersion(ua: string): string {
  return ua.replace(/(\d+)\.(\d+)\.(\d+)/, (_m, a: string, b: string) => `${a}.${Number(b) + 1}.0`);
}

interface Emitter {
  events: TokenUseEventInput[];
  emit(token: Token, at: number, fields: Partial<TokenUseEventInput> & { action: TokenUseEventInput['action'] }): TokenUseEventInput;
}

/** Provider lag: Google's Reports API is the slow one (minutes to hours). */
function lagMs(r: Rng, provider: AuditProvider): number {
  switch (provider) {
    case 'google':
      return Math.round(r.between(10, 180) * 60_000);
    case 'github':
      return Math.round(r.between(0.5, 10) * 60_000);
    case 'salesforce':
      return Math.round(r.between(2, 20) * 60_000);
    default:
      return Math.round(r.between(0.5, 5) * 60_000);
  }
}

function emitter(r: Rng, seed: number): Emitter {
  const events: TokenUseEventInput[] = [];
  let n = 0;
  return {
    events,
    emit(token, at, fields) {
      const event: TokenUseEventInput = {
        id: `${token.spec.provider}:${seed}:${(n++).toString(36)}`,
        provider: token.spec.provider,
        at: new Date(at).toISOString(),
        receivedAt: new Date(at + lagMs(r, token.spec.provider)).toISOString(),
        tokenKey: token.tokenKey,
        principal: token.principal,
        count: 1,
        ...fields,
      };
      if (token.app && event.app === undefined) event.app = token.app;
      events.push(event);
      // Audit pages get re-read: about 2 % of records arrive twice, later.
      if (r.chance(0.02)) events.push({ ...event, receivedAt: new Date(Date.parse(event.receivedAt!) + r.between(5, 60) * 60_000).toISOString() });
      return event;
    },
  };
}

/** The network a benign use comes from at absolute hour `h` (local hour `lh`). */
function networkAt(r: Rng, t: Token, h: number, lh: number, weekend: boolean): NetworkName {
  if (t.cloudMove && h >= t.cloudMove.day * 24) return t.cloudMove.to;
  if (t.spec.cloud) return r.pick(t.spec.cloud);
  if (t.spec.ownCloud) return t.spec.ownCloud;
  if (t.trip && h >= t.trip.from && h < t.trip.to) return t.trip.network;
  const home = t.ispChange && h >= t.ispChange.day * 24 ? t.ispChange.to : t.home!;
  return !weekend && lh >= 9 && lh < 18 && t.office ? t.office : home;
}

function benign(r: Rng, em: Emitter, t: Token, start: number, days: number): void {
  for (let h = 0; h < days * 24; h++) {
    if (t.stopAt !== undefined && h >= t.stopAt) break;
    const day = Math.floor(h / 24);
    if (t.activeDays && (day < t.activeDays[0] || day >= t.activeDays[1])) continue;
    // No use in the 14 hours around a flight.
    if (t.trip && ((h >= t.trip.from - 14 && h < t.trip.from) || (h >= t.trip.to && h < t.trip.to + 14))) continue;
    const local = (((h + t.tzOffset) % 24) + 24) % 24;
    const weekday = new Date(start + (h + t.tzOffset) * HOUR).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    let lambda = t.spec.rate * diurnal(t.spec.human, local, weekend);
    if (t.busyDay === day && local >= 13 && local < 16) lambda *= 2.5;
    const n = r.poisson(lambda);
    for (let k = 0; k < n; k++) {
      const at = start + h * HOUR + r.int(HOUR);
      const op = t.tryOp && t.tryOp.day === day && k === 0 && local >= 10 ? t.tryOp.op : r.pick(t.spec.ops);
      const network = NETWORKS[networkAt(r, t, h, local, weekend)];
      let ua = r.pick(t.spec.userAgents);
      if (t.uaVersionBump !== undefined && day >= t.uaVersionBump) ua = bumpVersion(ua);
      em.emit(t, at, {
        action: 'use',
        operation: op.operation,
        target: r.pick(op.targets),
        ip: addressIn(network, r.int),
        userAgent: ua,
        scopes: [...t.spec.scopes],
        count: op.count[0] + r.int(op.count[1] - op.count[0] + 1),
      });
    }
    // Google grants refresh about once a working day, inside a live session.
    if (t.spec.provider === 'google' && t.spec.human && local === 9 && !weekend && r.chance(0.8)) {
      const at = start + h * HOUR + r.int(HOUR);
      em.emit(t, at, {
        action: 'refresh',
        ip: addressIn(NETWORKS[networkAt(r, t, h, local, weekend)], r.int),
        userAgent: t.spec.userAgents[0],
        sessionId: `s-${t.tokenKey.slice(0, 8)}-${Math.floor(day / 7)}`,
        sessionEndsAt: new Date(start + (Math.floor(day / 7) + 1) * 7 * DAY + 12 * HOUR).toISOString(),
        scopes: [...t.spec.scopes],
      });
    }
  }
}

type Scenario = 'salesloft-drift' | 'circleci' | 'offboarding' | 'scope-expansion' | 'refresh-after-session' | 'dormant' | 'impossible-travel' | 'use-after-revocation' | 'unattributed' | 'app-retired';

export const SCENARIOS: readonly { name: Scenario; kind: Kind; expected: SignalName[] }[] = [
  { name: 'salesloft-drift', kind: 'salesforce-vendor', expected: ['new_asn', 'asn_class_change', 'new_user_agent', 'volume_spike'] },
  { name: 'circleci', kind: 'github-ci', expected: ['new_asn', 'asn_class_change', 'target_sweep'] },
  { name: 'offboarding', kind: 'google-user', expected: ['use_after_lifecycle'] },
  { name: 'scope-expansion', kind: 'slack-bot', expected: ['scope_expansion'] },
  { name: 'refresh-after-session', kind: 'google-user', expected: ['refresh_after_session_end'] },
  { name: 'dormant', kind: 'salesforce-user', expected: ['dormant_then_active'] },
  { name: 'impossible-travel', kind: 'google-user', expected: ['impossible_travel', 'new_country'] },
  { name: 'use-after-revocation', kind: 'github-dev', expected: ['use_after_revocation'] },
  { name: 'unattributed', kind: 'github-dev', expected: ['unattributed'] },
  { name: 'app-retired', kind: 'slack-bot', expected: ['use_after_lifecycle'] },
];

/** Plays one attack on `t`; returns the attack's events. Benign use of the token is shaped first (stopAt, activeDays). */
function attack(r: Rng, em: Emitter, t: Token, scenario: Scenario, start: number, days: number, revocations: Revocation[]): TokenUseEventInput[] {
  // A dormant token needs dormantDays (14) of silence after a week of use: it wakes up at the very end.
  const day = scenario === 'dormant' ? days - 2 : days - 9 + r.int(7);
  const local = (lh: number) => start + (day * 24 + lh - t.tzOffset) * HOUR + r.int(30) * 60_000;
  const usual = () => addressIn(NETWORKS[t.office ?? t.spec.cloud?.[0] ?? t.spec.ownCloud ?? 'comcast'], r.int);
  const out: TokenUseEventInput[] = [];
  const use = (at: number, fields: Partial<TokenUseEventInput>) => out.push(em.emit(t, at, { action: 'use', userAgent: t.spec.userAgents[0], scopes: [...t.spec.scopes], ...fields }));
  switch (scenario) {
    case 'salesloft-drift': {
      // Stolen OAuth tokens of a sales-engagement vendor replayed with a script from rented servers, bulk-exporting objects.
      const ip = addressIn(NETWORKS.digitalocean, r.int);
      const at0 = local(3);
      for (const [i, object] of ['Account', 'Contact', 'Opportunity', 'Case', 'User', 'Lead'].entries()) {
        for (let k = 0; k < 3; k++) use(at0 + (i * 3 + k) * 60_000, { operation: `query.${object}`, target: object, ip, userAgent: 'python-requests/2.31.0', count: 300 + r.int(1500) });
      }
      break;
    }
    case 'circleci': {
      // A CI token exfiltrated from a build system, cloning every private repository it can reach from a VPS.
      const ip = addressIn(NETWORKS[r.pick(['vultr', 'linode'] as const)], r.int);
      const at0 = local(2);
      for (let i = 0; i < 40; i++) use(at0 + i * 40_000, { operation: 'git.clone', target: `acme/private-${i}`, ip, userAgent: 'git/2.39.2' });
      break;
    }
    case 'offboarding': {
      const off = local(10);
      t.stopAt = day * 24 + 10 - t.tzOffset;
      em.emit(t, off, { action: 'principal_status', principalStatus: 'offboarded', tokenKey: undefined, app: undefined, operation: 'user.suspended' });
      for (let k = 0; k < 3; k++) use(off + DAY + k * 600_000, { operation: 'drive.files.list', target: 'drive', ip: addressIn(NETWORKS[t.home!], r.int), count: 5 });
      break;
    }
    case 'scope-expansion': {
      const at0 = local(11);
      const scopes = [...t.spec.scopes, 'files:read', 'users:read.email', 'admin'];
      out.push(em.emit(t, at0, { action: 'scope_change', scopes, operation: 'app_scopes_expanded' }));
      for (let k = 0; k < 3; k++) use(at0 + (k + 1) * 300_000, { operation: 'files.list', target: 'files', ip: usual(), scopes, count: 20 });
      break;
    }
    case 'refresh-after-session': {
      const at0 = local(22);
      out.push(
        em.emit(t, at0, {
          action: 'refresh',
          ip: usual(),
          userAgent: t.spec.userAgents[0],
          sessionId: `s-${t.tokenKey.slice(0, 8)}-old`,
          sessionEndsAt: new Date(at0 - 3 * DAY).toISOString(),
          scopes: [...t.spec.scopes],
        }),
      );
      use(at0 + 120_000, { operation: 'drive.files.list', target: 'drive', ip: usual(), count: 3 });
      break;
    }
    case 'dormant': {
      t.activeDays = [0, Math.max(1, day - 15)];
      use(local(11), { operation: 'query.Opportunity', target: 'Opportunity', ip: usual(), count: 12 });
      break;
    }
    case 'impossible-travel': {
      const at0 = local(11);
      // A real use at home, then the same token from Russia twenty minutes later.
      use(at0, { operation: 'calendar.events.list', target: 'calendar', ip: usual(), count: 2 });
      for (let k = 0; k < 3; k++) use(at0 + (20 + k) * 60_000, { operation: 'gmail.users.messages.list', target: 'gmail', ip: addressIn(NETWORKS.rostelecom, r.int), count: 30 });
      break;
    }
    case 'use-after-revocation': {
      const revokedAt = local(12);
      revocations.push({ tokenKey: t.tokenKey, at: new Date(revokedAt).toISOString() });
      t.stopAt = day * 24 + 12 - t.tzOffset;
      for (let k = 0; k < 3; k++) use(revokedAt + (2 * 60 + k) * 60_000, { operation: 'api.request', target: 'pulls', ip: usual() });
      break;
    }
    case 'unattributed': {
      // A token nobody inventoried: no app, no inventory entry; it shows up and is used like any other.
      t.activeDays = [day, days];
      break;
    }
    case 'app-retired': {
      const retired = local(9);
      em.emit(t, retired, { action: 'app_retired', tokenKey: undefined, operation: 'app_uninstalled' });
      t.stopAt = day * 24 + 9 - t.tzOffset;
      for (let k = 0; k < 3; k++) use(retired + (6 * 60 + k) * 60_000, { operation: 'conversations.history', target: 'C-incidents', ip: usual() });
      break;
    }
  }
  return out;
}

export function generateTraffic(options: TrafficOptions): LabelledTraffic {
  const days = options.days ?? 30;
  const count = options.tokens ?? 300;
  const perScenario = options.attacksPerScenario ?? 3;
  const start = Date.parse(options.start ?? '2026-10-01T00:00:00Z');
  const r = rng(options.seed);
  const em = emitter(r, options.seed);
  const tokens: Token[] = [];
  const kinds = Object.keys(KINDS) as Kind[];
  for (let i = 0; i < count; i++) {
    let x = r.next();
    const kind = kinds.find((k) => (x -= KINDS[k].share) <= 0) ?? 'google-user';
    tokens.push(makeToken(r, kind, i, options.seed, days));
  }
  const attacks: AttackLabel[] = [];
  const revocations: Revocation[] = [];
  const attackTokens: { token: Token; scenario: (typeof SCENARIOS)[number] }[] = [];
  for (const scenario of SCENARIOS) {
    for (let k = 0; k < perScenario; k++) {
      const index = tokens.length + attackTokens.length;
      const token = makeToken(r, scenario.kind, index, options.seed, days, scenario.name === 'impossible-travel');
      // A retired app of its own: retiring a shared bot's app would stop every token of it.
      if (scenario.name === 'app-retired') token.app = `LegacyBot${index}`;
      // The attack token's own benign history stays plain, so each label tests its signal.
      delete token.ispChange;
      delete token.trip;
      delete token.tryOp;
      delete token.busyDay;
      delete token.cloudMove;
      attackTokens.push({ token, scenario });
    }
  }
  // Attacks first (they set when the token's benign use stops), then everyone's benign use.
  const attackEvents = attackTokens.map(({ token, scenario }) => ({ token, scenario, events: attack(r, em, token, scenario.name, start, days, revocations) }));
  for (const t of [...tokens, ...attackTokens.map((a) => a.token)]) benign(r, em, t, start, days);
  for (const { token, scenario, events } of attackEvents) {
    // Unattributed: its first events are the attack.
    const ids = scenario.name === 'unattributed' ? em.events.filter((e) => e.tokenKey === token.tokenKey).slice(0, 5).map((e) => e.id) : events.map((e) => e.id);
    const first = scenario.name === 'unattributed' ? em.events.find((e) => e.tokenKey === token.tokenKey)?.at : events[0]?.at;
    if (!first || ids.length === 0) continue; // an unattributed token that drew no use at all
    attacks.push({ scenario: scenario.name, tokenKey: token.tokenKey, provider: token.spec.provider, startsAt: first, eventIds: ids, expectedSignals: scenario.expected });
  }

  const all = [...tokens, ...attackTokens.map((a) => a.token)];
  const unattributed = new Set(attacks.filter((a) => a.scenario === 'unattributed').map((a) => a.tokenKey));
  const inventory: InventoryEntry[] = all
    .filter((t) => !t.app && !unattributed.has(t.tokenKey))
    .map((t) => ({ tokenKey: t.tokenKey, owner: t.principal, purpose: t.kind === 'github-ci' ? 'CI deploys' : 'developer access' }));
  const vendors: VendorAllowlist[] = [
    { name: 'Salesforce sales-engagement vendors', apps: SALESFORCE_VENDORS, tokenKeys: [], principals: [], asns: [16509, 14618], cidrs: [], userAgents: [] },
    { name: 'Slack bots on AWS', apps: SLACK_BOTS, tokenKeys: [], principals: [], asns: [16509, 14618], cidrs: [], userAgents: [] },
    { name: 'GitHub Actions runners', apps: [], tokenKeys: all.filter((t) => t.kind === 'github-ci').map((t) => t.tokenKey), principals: [], asns: [8075], cidrs: [], userAgents: [] },
  ];
  const end = start + days * DAY;
  const span = new Map<string, [number, number]>();
  for (const e of em.events) {
    if (!e.tokenKey) continue;
    const at = Date.parse(e.at);
    const s = span.get(e.tokenKey);
    span.set(e.tokenKey, s ? [Math.min(s[0], at), Math.max(s[1], at)] : [at, at]);
  }
  const tokenDays = Math.round([...span.values()].reduce((sum, [a, b]) => sum + Math.max(1, (b - a) / DAY), 0));
  return {
    seed: options.seed,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    events: em.events,
    attacks,
    revocations,
    policy: { vendors, inventory },
    tokens: span.size,
    tokenDays,
  };
}

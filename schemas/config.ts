// Every CORDON_* environment variable is declared in a zod object keyed by variable name: the SlackAppEnv
// model (schemas/slack.ts, whose schemas the Slack app's entries reuse) widened to the whole project. This
// file declares the variables every process or way in reads (CoreEnv); each provider declares its own in
// connectors/<provider>/env.ts with the helpers below, and connectors/providers.ts joins them into the whole
// (CordonEnv), from which `cordon config check` (cli/config-check.ts) and the README's configuration table
// (`npm run docs:config`) are generated. Each entry carries metadata: a description, whether the value is a
// secret, the part of Cordon that reads it (`area`), whether it is required there, and its default. Readers
// get a value through `readEnv`, which validates it and names the variable — never the value — when it is
// wrong. schemas/config.test.ts checks that every CORDON_* name in the code is declared. Pure zod.
import { z } from 'zod';
import type { Provider } from './credential.ts';
import { SlackAppEnv } from './slack.ts';

/** Who reads a core variable. A provider's variables have the provider as their area (connectors/providers.ts names it). */
export const CORE_AREAS = {
  core: 'worker, API, Slack app and CLI',
  worker: 'the worker',
  api: 'the HTTP API',
  'slack-app': 'the Slack app',
  codec: 'the codec server',
  watch: 'the drift watch',
  dev: '`npm run dev`, `npm run demo` and the build scripts',
} as const;
export type CoreArea = keyof typeof CORE_AREAS;
export type ConfigArea = CoreArea | Provider;

export interface EnvVariableMeta {
  description: string;
  /** A secret is never printed, logged or echoed in an error; `cordon config check` prints no value at all. */
  secret: boolean;
  area: ConfigArea;
  /** Needed whenever the area is in use (a provider's required variable, or the codec keys). */
  required?: boolean;
  /** What applies when unset, as documentation (the reader applies it). */
  default?: string;
}

// `.meta()` puts the entry in zod's global registry; `variableMeta` reads it back.
export function variable<T extends z.ZodType>(schema: T, meta: EnvVariableMeta) {
  return schema.optional().meta({ ...meta });
}

export const PORT = 'must be a port number (0–65535)';
export const port = z.coerce.number(PORT).int(PORT).min(0, PORT).max(65535, PORT);
export const POSITIVE = 'must be a positive whole number';
export const positiveInt = z.coerce.number(POSITIVE).int(POSITIVE).positive(POSITIVE);
export const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
export const pem = z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key (-----BEGIN … PRIVATE KEY-----)' });
export const json = (what: string) =>
  z.string().refine((s) => {
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  }, `is not JSON (expected ${what})`);
export const list = z.string();
/** What Node's Buffer.from(…, 'base64') reads as 32 bytes: 43 base64 (or base64url) characters and optional padding. */
const base64Key = /^[A-Za-z0-9+/_-]{43}=?$/;
const codecKeyList = z.string().refine(
  (s) =>
    s.trim() !== '' &&
    s
      .trim()
      .split(',')
      .every((entry) => {
        const i = entry.indexOf(':');
        return i > 0 && /^[A-Za-z0-9._-]{1,64}$/.test(entry.slice(0, i).trim()) && base64Key.test(entry.slice(i + 1).trim());
      }),
  'must be a comma-separated list of <key id>:<base64 32-byte key> (ids are letters, digits, . _ -)',
);

export const CoreEnv = z.object({
  // Core: every process that talks to Temporal.
  CORDON_TASK_QUEUE: variable(z.string().min(1), { area: 'core', secret: false, description: 'the Temporal task queue', default: 'cordon-containment' }),
  CORDON_CODEC_KEYS: variable(
    codecKeyList,
    {
      area: 'core',
      secret: true,
      required: true,
      description: 'payload encryption keys, `id:<base64 32 bytes>[,id2:…]` (`cordon keygen` prints one); the worker, the API and the Slack app refuse to start without one',
    },
  ),
  CORDON_CODEC_ACTIVE_KEY: variable(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a key id (letters, digits, . _ -)'), {
    area: 'core',
    secret: false,
    description: 'the key id new payloads are encrypted with',
    default: 'the first key of CORDON_CODEC_KEYS',
  }),
  CORDON_ENVELOPE_KEYS: variable(codecKeyList, {
    area: 'core',
    secret: true,
    description:
      'keys that sign and check decision envelopes (HMAC-SHA-256), `id:<base64 32 bytes>[,id2:…]`, the first signs: the Slack app, the API and the CLI sign each decision, refusal and cancel request with the identity they authenticated, the worker checks it (docs/trust-model.md); unset, those count as unauthenticated Temporal-direct calls; `npm run dev` and `npm run demo` create one',
  }),
  CORDON_OPERATOR_ID: variable(z.string().min(1).max(256), {
    area: 'core',
    secret: false,
    description: 'who runs the CLI, as its signed decision and cancel envelopes name them (identity source `operator_id`); unset, the OS user (source `os_user`)',
    default: 'the OS user',
  }),
  CORDON_LOG_LEVEL: variable(z.enum(['debug', 'info', 'warn', 'error'], 'must be one of debug, info, warn, error'), { area: 'core', secret: false, description: 'the lowest level logged (structured JSON on stderr)', default: 'info' }),
  CORDON_OTEL_ENDPOINT: variable(url, {
    area: 'core',
    secret: false,
    description:
      'an OpenTelemetry collector’s OTLP/HTTP base URL (`http://127.0.0.1:4318`; spans go to `/v1/traces`): the worker, the API, the Slack app and the CLI then export traces, one containment one trace from its start through the workflow to every activity, with ids and names as attributes, never payloads; `OTEL_SERVICE_NAME` names the process (default `cordon`); unset, nothing is traced',
  }),

  // Worker.
  CORDON_SINK_KEY: variable(
    z.string().regex(base64Key, 'must be a base64 32-byte key (44 characters)'),
    { area: 'worker', secret: true, required: true, description: 'the key of the encrypted local credential store for replacements; `npm run dev` and `npm run demo` create one' },
  ),
  CORDON_SINK_DIR: variable(z.string().min(1), { area: 'worker', secret: false, description: 'where the encrypted local credential store lives', default: '.cordon/credentials' }),
  CORDON_WEBHOOK_SECRET: variable(z.string().min(1), { area: 'worker', secret: true, description: 'signs webhook deliveries (HMAC); webhooks are off when unset' }),
  CORDON_EVIDENCE_SIGNING_KEY: variable(z.string().regex(base64Key, 'must be a base64 32-byte Ed25519 seed (44 characters)'), {
    area: 'worker',
    secret: true,
    description: 'the Ed25519 key (32-byte seed, base64) that signs each run’s final evidence digest; runs end `unsigned` when unset; `npm run dev` and `npm run demo` create one',
  }),
  CORDON_WEBHOOK_ALLOWED_HOSTS: variable(list, {
    area: 'worker',
    secret: false,
    description: 'comma-separated hosts a webhook may go to (`*.example.com` for subdomains), applied by the worker and checked by the API at start',
    default: 'any host',
  }),
  CORDON_METRICS_ADDRESS: variable(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, for example 127.0.0.1:9464'), {
    area: 'worker',
    secret: false,
    description: 'where the worker serves Prometheus metrics (`/metrics`): Temporal’s own worker metrics and Cordon’s (containments by outcome, time to revoke, activity calls and failures by kind, rate-limit waits); unset, no metrics are served',
  }),
  // Evidence delivery (docs/evidence-export.md): each sink is on when its location is set.
  CORDON_EVIDENCE_NDJSON_PATH: variable(z.string().min(1), { area: 'worker', secret: false, description: 'a file the worker appends every finished containment’s OCSF events to, one JSON object a line (each event once)' }),
  CORDON_EVIDENCE_HEC_URL: variable(url, { area: 'worker', secret: false, description: 'Splunk HTTP Event Collector base URL (`https://splunk:8088`); finished containments’ OCSF events go to `/services/collector/event`' }),
  CORDON_EVIDENCE_HEC_TOKEN: variable(z.string().min(1), { area: 'worker', secret: true, description: 'the HEC token (sent as `Authorization: Splunk <token>`); required with CORDON_EVIDENCE_HEC_URL' }),
  CORDON_EVIDENCE_HEC_INDEX: variable(z.string().min(1), { area: 'worker', secret: false, description: 'the Splunk index events go to', default: 'the token’s default index' }),
  CORDON_EVIDENCE_HEC_ACK: variable(z.enum(['on', 'off'], 'must be on or off'), { area: 'worker', secret: false, description: 'wait for HEC indexer acknowledgements (`/services/collector/ack`) before a delivery counts; turn off only for a token without acknowledgement', default: 'on' }),
  CORDON_EVIDENCE_HEC_BATCH: variable(positiveInt, { area: 'worker', secret: false, description: 'OCSF events per HEC request', default: '100' }),
  CORDON_EVIDENCE_WEBHOOK_URL: variable(url, { area: 'worker', secret: false, description: 'a URL finished containments’ OCSF events are POSTed to, signed like the webhooks (`Cordon-Signature`)' }),
  CORDON_EVIDENCE_WEBHOOK_SECRET: variable(z.string().min(32, 'must be at least 32 characters'), { area: 'worker', secret: true, description: 'signs evidence webhook deliveries (HMAC-SHA256); required with CORDON_EVIDENCE_WEBHOOK_URL' }),
  CORDON_WORKFLOW_BUNDLE: variable(z.string().min(1), { area: 'worker', secret: false, description: 'a prebuilt workflow bundle for `npm run worker` to load instead of bundling at start (the chaos suite restarts workers often)' }),
  CORDON_GITHUB_REVOKES_PER_HOUR: variable(positiveInt, {
    area: 'worker',
    secret: false,
    description: 'budget of GitHub’s unauthenticated credential revocation (`POST /credentials/revoke`, documented 60 requests/hour), enforced by the Temporal server on the `<task queue>-paced` queue for every worker together',
    default: '60',
  }),
  CORDON_PROVIDER_RATES: variable(z.string().min(1), {
    area: 'worker',
    secret: false,
    description:
      'calls per second each provider’s task queue admits, for every worker together (`github=1.39,google=40`; `none` = unpaced); the Temporal server enforces it as activities per second, which each worker sets from the calls it counts per activity, and a provider’s 429 slows the queue for its Retry-After',
    default: '`npm run worker`: google=40, github=1.39, salesforce=1.16, slack=0.83 (documented budgets); the local stack: unpaced',
  }),
  CORDON_WORKER_ACTIVITY_SLOTS: variable(positiveInt, { area: 'worker', secret: false, description: 'activity tasks one worker runs at once, per task queue (maxConcurrentActivityTaskExecutions)', default: 'the SDK’s (100)' }),
  CORDON_WORKER_WORKFLOW_SLOTS: variable(positiveInt, { area: 'worker', secret: false, description: 'workflow tasks one worker runs at once (maxConcurrentWorkflowTaskExecutions)', default: 'the SDK’s (40)' }),
  CORDON_WORKER_CACHE_SIZE: variable(positiveInt, { area: 'worker', secret: false, description: 'workflow runs kept in the worker’s cache (maxCachedWorkflows): a mass containment keeps about 105 busy; more costs memory, fewer costs replays', default: '120' }),
  CORDON_WORKER_WORKFLOW_POLLERS: variable(positiveInt, { area: 'worker', secret: false, description: 'workflow task pollers per task queue', default: 'the SDK’s' }),
  CORDON_WORKER_ACTIVITY_POLLERS: variable(positiveInt, { area: 'worker', secret: false, description: 'activity task pollers per task queue', default: 'the SDK’s' }),

  // HTTP API.
  CORDON_API_KEYS: variable(json('an array of {name, principal, scopes, sha256}'), {
    area: 'api',
    secret: false,
    required: true,
    description: 'the API keys as their sha256 with a name, principal and scopes (JSON array; `npm run api:key` mints one, api/README.md)',
  }),
  CORDON_API_PORT: variable(port, { area: 'api', secret: false, description: 'the port the API listens on', default: '8787 (`npm run dev`: any free port)' }),
  CORDON_API_HOST: variable(z.string().min(1), { area: 'api', secret: false, description: 'the address the API binds; put a TLS-terminating proxy in front to expose it', default: '127.0.0.1' }),
  CORDON_APPROVAL_POLICY: variable(json('an ApprovalPolicy object'), {
    area: 'api',
    secret: false,
    description: 'approvers, quorum and timeouts of API-started containments (JSON `ApprovalPolicy`); an API caller cannot set them, nor break-glass',
  }),
  CORDON_API_APPROVERS: variable(list, { area: 'api', secret: false, description: 'comma-separated approver principals of API-started containments, when CORDON_APPROVAL_POLICY is unset' }),

  // Slack app.
  CORDON_SLACK_SIGNING_SECRET: variable(SlackAppEnv.shape.CORDON_SLACK_SIGNING_SECRET, { area: 'slack-app', secret: true, required: true, description: 'the Slack app’s signing secret (Basic Information → App Credentials)' }),
  CORDON_SLACK_BOT_TOKEN: variable(SlackAppEnv.shape.CORDON_SLACK_BOT_TOKEN, {
    area: 'slack-app',
    secret: true,
    required: true,
    description: 'the Bot User OAuth Token (xoxb-…); also turns on the worker’s Slack notifier (approvals and progress in the thread)',
  }),
  CORDON_SLACK_APPROVERS: variable(SlackAppEnv.shape.CORDON_SLACK_APPROVERS, {
    area: 'slack-app',
    secret: false,
    description: 'Slack user ids who may approve; every approval from Slack is refused when empty',
  }),
  CORDON_SLACK_BREAK_GLASS: variable(list, { area: 'slack-app', secret: false, description: 'Slack user ids allowed to declare `--break-glass`', default: 'nobody' }),
  CORDON_SLACK_PORT: variable(SlackAppEnv.shape.CORDON_SLACK_PORT, { area: 'slack-app', secret: false, description: 'the port of the Slack app’s HTTP receiver', default: '3000' }),
  CORDON_SLACK_SOCKET_MODE: variable(SlackAppEnv.shape.CORDON_SLACK_SOCKET_MODE, { area: 'slack-app', secret: false, description: 'use Socket Mode instead of the HTTP receiver (needs CORDON_SLACK_APP_TOKEN)', default: 'false' }),
  CORDON_SLACK_APP_TOKEN: variable(SlackAppEnv.shape.CORDON_SLACK_APP_TOKEN, { area: 'slack-app', secret: true, description: 'the app-level token (xapp-…, connections:write) for Socket Mode' }),
  CORDON_SLACK_API_URL: variable(SlackAppEnv.shape.CORDON_SLACK_API_URL, { area: 'slack-app', secret: false, description: 'the Slack Web API base, for the Slack app, the worker’s notifier and the Slack connector; only to point at the local tenant', default: 'https://slack.com/api/' }),

  // Codec server.
  CORDON_CODEC_SERVER_TOKEN: variable(z.string().min(1), { area: 'codec', secret: true, description: 'the bearer token `cordon codec-server` requires', default: 'none (loopback only)' }),
  CORDON_CODEC_CORS_ORIGIN: variable(url, { area: 'codec', secret: false, description: 'the one web UI origin the codec server answers CORS for' }),

  // Drift watch (docs/drift-watch.md).
  CORDON_WATCH_DB: variable(z.string().min(1), { area: 'watch', secret: false, description: 'the SQLite file holding the watch’s baselines, verdicts and audit cursors', default: '.cordon/watch.db' }),
  CORDON_WATCH_POLICY: variable(json('a WatchPolicy object: thresholds, vendor allowlists, inventory'), {
    area: 'watch',
    secret: false,
    description: 'the watch’s policy as JSON (schemas/verdict.ts `WatchPolicy`): verdict threshold, direct containment, learning period, vendor allowlists, token inventory',
    default: 'the documented defaults, no allowlist',
  }),
  CORDON_WATCH_ASN_MMDB: variable(z.string().min(1), {
    area: 'watch',
    secret: false,
    description: 'your own MaxMind-format ASN database (GeoLite2-ASN, GeoIP2-ISP) instead of the shipped RouteViews + DB-IP table',
    default: 'the shipped `@ip-location-db/asn` data',
  }),
  CORDON_WATCH_COUNTRY_MMDB: variable(z.string().min(1), {
    area: 'watch',
    secret: false,
    description: 'your own MaxMind-format country or city database (GeoLite2-Country/City) instead of the shipped one',
    default: 'the shipped `@ip-location-db/geo-whois-asn-country-mmdb` data',
  }),

  CORDON_WATCH_SLACK_CHANNEL: variable(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD'), {
    area: 'watch',
    secret: false,
    description: 'the Slack channel (id) where the watch opens a thread per verdict with Contain / Dismiss buttons; needs CORDON_SLACK_BOT_TOKEN on the watch’s worker',
    default: 'none: verdicts are not posted to Slack',
  }),

  // Local development.
  CORDON_DEV_DIR: variable(z.string().min(1), { area: 'dev', secret: false, description: '`npm run dev` state (Temporal’s database, keys, the session’s API key); another value runs a second stack', default: '.cordon/dev' }),
  CORDON_SCENARIO: variable(z.string().min(1), { area: 'dev', secret: false, description: 'the local tenant’s scenario: `salesloft-drift`, `circleci`, `cloudflare-okta` or the generated `load`', default: 'salesloft-drift' }),
  CORDON_TEMPORAL_PORT: variable(port, { area: 'dev', secret: false, description: 'the dev Temporal server’s port', default: '7233' }),
  CORDON_TEMPORAL_UI_PORT: variable(port, { area: 'dev', secret: false, description: 'the dev Temporal web UI’s port', default: '8233' }),
  CORDON_TEMPORAL_SQLITE_PRAGMAS: variable(z.string().regex(/^(none|(journal_mode|synchronous)=[a-z]+(,(journal_mode|synchronous)=[a-z]+)*)$/i, 'comma-separated journal_mode=… and synchronous=… pragmas, or `none` for SQLite’s own defaults'), {
    area: 'dev',
    secret: false,
    description: 'the SQLite pragmas of every dev Temporal server Cordon starts (dev stack, demo, tests, benchmarks); `none` for SQLite’s defaults (a rollback journal synced on every commit)',
    default: 'journal_mode=wal,synchronous=normal',
  }),
  CORDON_CACHE_DIR: variable(z.string().min(1), { area: 'dev', secret: false, description: 'where `temporal-config/ensure-temporal.sh` caches the Temporal CLI it builds', default: '~/.cache/cordon' }),
});
export type CoreEnvName = keyof typeof CoreEnv.shape;
type EnvShape = Record<string, z.ZodType>;
export type EnvValue<S extends EnvShape, N extends keyof S> = Exclude<z.output<S[N]>, undefined>;

/** A variable's description, secrecy, area and default, from any env object built with `variable`. */
export function variableMeta(name: string, schema: z.ZodType): EnvVariableMeta {
  const meta = schema.meta() as EnvVariableMeta | undefined;
  if (!meta) throw new Error(`${name} has no description (declare it with variable())`);
  return meta;
}

/** Rules across variables, checked by `cordon config check` and by the readers that need them. */
export const CROSS_VARIABLE_RULES: readonly { names: readonly string[]; holds: (env: Record<string, string | undefined>) => boolean; message: string }[] = [
  {
    names: ['CORDON_GITHUB_OAUTH_CLIENT_ID', 'CORDON_GITHUB_OAUTH_CLIENT_SECRET'],
    holds: (env) => Boolean(env.CORDON_GITHUB_OAUTH_CLIENT_ID) === Boolean(env.CORDON_GITHUB_OAUTH_CLIENT_SECRET),
    message: 'set both CORDON_GITHUB_OAUTH_CLIENT_ID and CORDON_GITHUB_OAUTH_CLIENT_SECRET, or neither',
  },
  {
    names: ['CORDON_SLACK_SOCKET_MODE', 'CORDON_SLACK_APP_TOKEN'],
    holds: (env) => !['true', '1', 'yes'].includes(env.CORDON_SLACK_SOCKET_MODE ?? '') || Boolean(env.CORDON_SLACK_APP_TOKEN),
    message: 'Socket Mode needs CORDON_SLACK_APP_TOKEN (an xapp- token with connections:write)',
  },
];

/** Whether a variable is set (and not empty), without reading or validating its value. */
export function envIsSet(env: Record<string, string | undefined>, name: string): boolean {
  return Boolean(env[name]);
}

/**
 * One variable of an env object (CoreEnv, or a provider's), validated: undefined when unset or empty, the
 * parsed value otherwise; an invalid value throws an error that names the variable and what is expected,
 * never the value (it may be a secret).
 */
export function readEnvOf<S extends EnvShape, N extends keyof S & string>(schema: z.ZodObject<S>, env: Record<string, string | undefined>, name: N): EnvValue<S, N> | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const parsed = schema.shape[name]!.safeParse(raw);
  if (!parsed.success) throw new Error(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data as EnvValue<S, N>;
}

/** One core variable, validated (see readEnvOf). */
export function readEnv<N extends CoreEnvName>(env: Record<string, string | undefined>, name: N): EnvValue<typeof CoreEnv.shape, N> | undefined {
  return readEnvOf(CoreEnv, env, name);
}

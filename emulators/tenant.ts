// The tenant: the four provider emulators on their own loopback ports, one shared call log (so the
// order of calls across providers is checkable), one fault book, and a control API over HTTP.
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CallLog, FaultBook, startEmulatorServer, type CallRecord, type EmulatorServer, type Fault } from './core/server.ts';
import type { ProviderEmulator } from './core/provider.ts';
import { EMULATED_PROVIDERS, type EmulatedProvider } from './core/types.ts';
import { createGoogleEmulator, type GoogleEmulator } from './google/emulator.ts';
import { createGitHubEmulator, type GitHubCredentialLabel, type GitHubEmulator } from './github/emulator.ts';
import { createSalesforceEmulator, type SalesforceEmulator } from './salesforce/emulator.ts';
import { createSlackEmulator, type SlackEmulator } from './slack/emulator.ts';
import { Scenario } from './scenario.ts';
import { AuditClock } from './core/audit-log.ts';
import { TenantClock } from './core/tenant-clock.ts';

export { EMULATED_PROVIDERS, type EmulatedProvider } from './core/types.ts';

export const FaultInput = z
  .object({
    provider: z.enum(EMULATED_PROVIDERS).optional(),
    operation: z.string().min(1).optional(),
    type: z.enum(['latency', 'rate_limited', 'unavailable', 'unauthorized', 'timeout']),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    retryAfterSec: z.number().int().min(0).max(3600).optional(),
    status: z.number().int().min(500).max(599).optional(),
    times: z.number().int().min(1).optional(),
    /** The share of matching calls it hits (0–1), drawn per call: a fault storm. */
    probability: z.number().min(0).max(1).optional(),
  })
  .strict();

export const RateLimitInput = z
  .object({
    provider: z.enum(EMULATED_PROVIDERS),
    operation: z.string().min(1).optional(),
    limit: z.number().int().min(0).max(1_000_000),
    windowSec: z.number().int().min(1).max(86_400),
  })
  .strict();

/** POST /audit-records: wire-shaped records for one provider's audit log (each provider's seed schema checks them). */
export const AuditRecordsInput = z.object({ provider: z.enum(EMULATED_PROVIDERS), records: z.array(z.unknown()).max(200_000) }).strict();

/** POST /audit-clock: freeze the audit clock at `now`, or `null` for the wall clock. */
export const AuditClockInput = z.object({ now: z.iso.datetime({ offset: true }).nullable() }).strict();

/** POST /tenant-clock: the tenant is at `now` (running on from there, or `frozen`), or `null` for the wall clock. */
export const TenantClockInput = z.object({ now: z.iso.datetime({ offset: true }).nullable(), frozen: z.boolean().default(false) }).strict();

export interface Emulators {
  google: GoogleEmulator;
  github: GitHubEmulator;
  salesforce: SalesforceEmulator;
  slack: SlackEmulator;
}

export interface Tenant {
  urls: Record<EmulatedProvider, string>;
  controlUrl: string;
  emulators: Emulators;
  load(scenario: Scenario): void;
  reset(): void;
  injectFault(fault: Fault): void;
  clearFaults(provider?: EmulatedProvider): void;
  /** A request budget per provider (or operation) and window; calls past it get the provider's rate-limit answer. */
  setRateLimit(limit: z.input<typeof RateLimitInput>): void;
  calls(filter?: Partial<Pick<CallRecord, 'provider' | 'operation'>>): CallRecord[];
  /** Requests received and not yet answered (e.g. held by a latency fault), by provider and operation. */
  inFlight(filter?: Partial<Pick<CallRecord, 'provider' | 'operation'>>): number;
  counts(): Record<EmulatedProvider, Record<string, number>>;
  /**
   * Appends wire-shaped audit records to one provider's audit log without reloading (core/audit-log.ts AuditSeed;
   * Salesforce's name their `object`, LoginHistory or LoginEvent). Returns how many; a bad record throws naming its field.
   */
  addAuditRecords(provider: EmulatedProvider, records: unknown): number;
  /** Freezes the audit clock at an ISO time (records whose `availableAt` is later stay hidden); undefined: the wall clock. */
  setAuditTime(iso: string | undefined): void;
  /** Sets the tenant's time (core/tenant-clock.ts), so seeded credentials have ages; undefined: the wall clock. */
  setTenantTime(iso: string | undefined, options?: { frozen?: boolean }): void;
  close(): Promise<void>;
}

export async function loadScenarioFile(path: string): Promise<Scenario> {
  const text = await readFile(path, 'utf8');
  const parsed = Scenario.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`scenario ${path}: ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  return parsed.data;
}

/**
 * Scenarios generated in code rather than shipped as a directory, loadable by name all the same
 * (`SCENARIO=load npm run emulators`, `CORDON_SCENARIO=load npm run dev`).
 */
export const GENERATED_SCENARIOS: Record<string, () => Promise<Scenario>> = {
  load: async () => (await import('./scenarios/load.ts')).loadScenario(),
};

/**
 * A scenario directory: scenario.json (name, description) plus one <provider>.json per section. The
 * directory that `scenarioDir` names for a generated scenario (`load`) gives that scenario.
 */
export async function loadScenarioDir(dir: string): Promise<Scenario> {
  const { readdir } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  for (const [name, generate] of Object.entries(GENERATED_SCENARIOS)) if (resolve(dir) === resolve(scenarioDir(name))) return generate();
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new Error(`no scenario at ${dir}; the shipped ones are ${(await scenarioNames()).join(', ')}`);
  }
  const merged: Record<string, unknown> = JSON.parse(await readFile(join(dir, 'scenario.json'), 'utf8')) as Record<string, unknown>;
  for (const provider of EMULATED_PROVIDERS) {
    if (files.includes(`${provider}.json`)) merged[provider] = JSON.parse(await readFile(join(dir, `${provider}.json`), 'utf8'));
  }
  const parsed = Scenario.safeParse(merged);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`scenario ${dir}: ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  return parsed.data;
}

/** The shipped scenarios, by name (emulators/scenarios/<name>/; `load` is generated, see GENERATED_SCENARIOS). */
export function scenarioDir(name: string): string {
  return fileURLToPath(new URL(`./scenarios/${name}/`, import.meta.url));
}

/** The shipped scenario directories, by name (emulators/scenarios/<name>/). */
export async function shippedScenarioNames(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const dirs = await readdir(fileURLToPath(new URL('./scenarios/', import.meta.url)), { withFileTypes: true });
  return dirs.filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

/** The names `loadScenarioByName` accepts: the shipped directories and the generated scenarios. */
export async function scenarioNames(): Promise<string[]> {
  return [...(await shippedScenarioNames()), ...Object.keys(GENERATED_SCENARIOS)].sort();
}

/**
 * One file of a shipped scenario as raw JSON (`scenario` for scenario.json, else a provider's section), unparsed
 * and untyped as JSON.parse gives it: tests build variants of a section from it, then parse them with the
 * section's schema. An unknown name or a section the scenario does not have throws.
 */
export function readScenarioFile(name: string, file: 'scenario' | EmulatedProvider): any {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`scenario name "${name}": lowercase letters, digits and dashes`);
  return JSON.parse(readFileSync(join(scenarioDir(name), `${file}.json`), 'utf8'));
}

/** A shipped or generated scenario by name; an unknown name is refused with the known ones. */
export async function loadScenarioByName(name: string): Promise<Scenario> {
  const generate = GENERATED_SCENARIOS[name];
  if (generate) return generate();
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !(await scenarioNames()).includes(name)) throw new Error(`unknown scenario "${name}"; known: ${(await scenarioNames()).join(', ')}`);
  return loadScenarioDir(scenarioDir(name));
}

export interface TenantOptions {
  scenario?: Scenario;
  ports?: Partial<Record<EmulatedProvider | 'control', number>>;
  /** How the call log names GitHub credentials (the host's own ids); see GitHubCredentialLabel. */
  githubCredentialLabel?: GitHubCredentialLabel;
}

export async function startTenant(options: TenantOptions = {}): Promise<Tenant> {
  const log = new CallLog();
  const faults = new FaultBook();
  const emulators: Emulators = {
    google: createGoogleEmulator(),
    github: createGitHubEmulator(options.githubCredentialLabel ? { credentialLabel: options.githubCredentialLabel } : {}),
    salesforce: createSalesforceEmulator(),
    slack: createSlackEmulator(),
  };
  const auditClock = new AuditClock();
  // Credential ages (core/tenant-clock.ts): Google service-account keys keep their times in it.
  const tenantClock = new TenantClock();
  emulators.google.state.tenantClock = tenantClock;
  for (const provider of EMULATED_PROVIDERS) (emulators[provider] as ProviderEmulator<unknown>).useAuditClock(auditClock);
  const addAuditRecords = (provider: EmulatedProvider, records: unknown) => (emulators[provider] as ProviderEmulator<unknown>).addAuditRecords(records);
  const servers: EmulatorServer[] = [];
  const urls = {} as Record<EmulatedProvider, string>;
  for (const provider of EMULATED_PROVIDERS) {
    const emu = emulators[provider] as ProviderEmulator<unknown>;
    const server = await startEmulatorServer({
      provider,
      router: emu.router,
      errors: emu.errors,
      log,
      faults,
      ...(options.ports?.[provider] !== undefined ? { port: options.ports[provider] } : {}),
      ...(emu.decorate ? { decorate: emu.decorate } : {}),
    });
    emu.setBaseUrl(server.url);
    servers.push(server);
    urls[provider] = server.url;
  }

  let current: Scenario | undefined = options.scenario;
  const load = (scenario: Scenario | undefined) => {
    current = scenario;
    emulators.google.load(scenario?.google);
    emulators.github.load(scenario?.github);
    emulators.salesforce.load(scenario?.salesforce);
    emulators.slack.load(scenario?.slack);
    log.clear();
    faults.clear();
    auditClock.set(undefined);
    tenantClock.set(undefined);
  };
  load(current);

  const counts = () =>
    Object.fromEntries(EMULATED_PROVIDERS.map((p) => [p, emulators[p].counts()])) as Record<EmulatedProvider, Record<string, number>>;

  const control = await startControlServer({
    calls: (q) => log.list(q),
    faults,
    load: (s) => load(s),
    reset: () => load(current),
    counts,
    urls,
    addAuditRecords,
    auditClock,
    tenantClock,
    ...(options.ports?.control !== undefined ? { port: options.ports.control } : {}),
  });

  return {
    urls,
    controlUrl: control.url,
    emulators,
    load: (s) => load(s),
    reset: () => load(current),
    injectFault: (f) => faults.add(FaultInput.parse(f)),
    clearFaults: (p) => faults.clear(p),
    setRateLimit: (l) => faults.setRateLimit(RateLimitInput.parse(l)),
    calls: (q) => log.list(q),
    inFlight: (q) => log.inFlight(q),
    counts,
    addAuditRecords,
    setAuditTime: (iso) => auditClock.set(iso),
    setTenantTime: (iso, options) => tenantClock.set(iso, options),
    close: async () => {
      await Promise.all([...servers.map((s) => s.close()), control.close()]);
    },
  };
}

/**
 * Control API: GET /calls[?provider=&operation=], GET|POST|DELETE /faults, GET|POST /rate-limits
 * (DELETE /faults clears both), POST /scenario (a
 * scenario JSON), POST /reset, GET /counts, GET /urls, POST /audit-records, GET|POST /audit-clock, GET|POST /tenant-clock. JSON in, JSON out, 400 naming the field.
 */
async function startControlServer(deps: {
  calls: (q: Partial<Pick<CallRecord, 'provider' | 'operation'>>) => CallRecord[];
  faults: FaultBook;
  load: (s: Scenario) => void;
  reset: () => void;
  counts: () => unknown;
  urls: Record<string, string>;
  addAuditRecords: (provider: EmulatedProvider, records: unknown) => number;
  auditClock: AuditClock;
  tenantClock: TenantClock;
  port?: number;
}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://control.invalid');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        return send(400, { error: { code: 'invalid_json', message: 'the body is not JSON' } });
      }
      const route = `${req.method} ${url.pathname}`;
      const invalid = (issues: z.core.$ZodIssue[]) =>
        send(400, {
          error: {
            code: 'invalid_input',
            message: issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
            issues: issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          },
        });
      switch (route) {
        case 'GET /calls': {
          const q: Partial<Pick<CallRecord, 'provider' | 'operation'>> = {};
          const provider = url.searchParams.get('provider');
          const operation = url.searchParams.get('operation');
          if (provider) q.provider = provider as EmulatedProvider;
          if (operation) q.operation = operation;
          return send(200, { calls: deps.calls(q) });
        }
        case 'GET /faults':
          return send(200, { faults: deps.faults.list() });
        case 'POST /faults': {
          const parsed = FaultInput.safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          deps.faults.add(parsed.data);
          return send(201, { faults: deps.faults.list() });
        }
        case 'GET /rate-limits':
          return send(200, { rateLimits: deps.faults.rateLimits() });
        case 'POST /rate-limits': {
          const parsed = RateLimitInput.safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          deps.faults.setRateLimit(parsed.data);
          return send(201, { rateLimits: deps.faults.rateLimits() });
        }
        case 'DELETE /faults':
          deps.faults.clear((url.searchParams.get('provider') as EmulatedProvider | null) ?? undefined);
          return send(200, { faults: deps.faults.list() });
        case 'POST /scenario': {
          const parsed = Scenario.safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          deps.load(parsed.data);
          return send(200, { loaded: parsed.data.name, counts: deps.counts() });
        }
        case 'POST /reset':
          deps.reset();
          return send(200, { counts: deps.counts() });
        case 'GET /counts':
          return send(200, deps.counts());
        case 'GET /urls':
          return send(200, deps.urls);
        case 'POST /audit-records': {
          const parsed = AuditRecordsInput.safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          try {
            const added = deps.addAuditRecords(parsed.data.provider, parsed.data.records);
            return send(201, { added, counts: deps.counts() });
          } catch (err) {
            return send(400, { error: { code: 'invalid_input', message: err instanceof Error ? err.message : String(err) } });
          }
        }
        case 'GET /audit-clock':
          return send(200, { now: new Date(deps.auditClock.now()).toISOString(), fixed: deps.auditClock.fixedAt() ?? null });
        case 'POST /audit-clock': {
          const parsed = AuditClockInput.safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          deps.auditClock.set(parsed.data.now ?? undefined);
          return send(200, { now: new Date(deps.auditClock.now()).toISOString(), fixed: deps.auditClock.fixedAt() ?? null });
        }
        case 'GET /tenant-clock':
          return send(200, { now: deps.tenantClock.nowIso(), frozen: deps.tenantClock.frozen() });
        case 'POST /tenant-clock': {
          const parsed = TenantClockInput.safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          deps.tenantClock.set(parsed.data.now ?? undefined, { frozen: parsed.data.frozen });
          return send(200, { now: deps.tenantClock.nowIso(), frozen: deps.tenantClock.frozen() });
        }
        default:
          return send(404, { error: { code: 'not_found', message: `no control route ${route}; see emulators/README.md` } });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// `cordon config check`: for every CORDON_* variable (schemas/config.ts and the provider modules' env.ts), whether it is set, missing
// (and whether the configured providers need it) or invalid. It never prints a value, not even a
// prefix: only names, states and what the schema expects. Needs neither Temporal nor the network.
import { CROSS_VARIABLE_RULES, type ConfigArea } from '../schemas/config.ts';
import type { Provider } from '../schemas/credential.ts';
import { areaTitle, configuredProviders, CORDON_ENV_NAMES, CordonEnv, envVariableMeta, providerOfArea } from '../connectors/providers.ts';

export type VariableState = 'set' | 'missing' | 'invalid';

export interface VariableCheck {
  name: string;
  state: VariableState;
  secret: boolean;
  area: ConfigArea;
  /** Why it matters or what is wrong: never the value. */
  detail: string;
  /** Counted as a problem: invalid, or missing while required by a configured provider or by every process. */
  problem: boolean;
}

export interface ConfigCheck {
  ok: boolean;
  providers: Provider[];
  variables: VariableCheck[];
  /** Cross-variable rules that do not hold, and CORDON_* names the schema does not know (typos). */
  notes: { problem: boolean; detail: string }[];
}

/** A validation message with the value removed, in case a message ever quotes its input. */
function withoutValue(message: string, value: string): string {
  return value.length >= 3 ? message.split(value).join('[value]') : message;
}

export function checkConfig(env: Record<string, string | undefined>): ConfigCheck {
  const providers = configuredProviders(env).map((p) => p.provider);
  const variables = CORDON_ENV_NAMES.map((name): VariableCheck => {
    const meta = envVariableMeta(name);
    const base = { name, secret: meta.secret, area: meta.area };
    const raw = env[name];
    const provider = providerOfArea(meta.area);
    if (raw === undefined || raw === '') {
      if (meta.required && provider) {
        const configured = providers.includes(provider.provider);
        return configured
          ? { ...base, state: 'missing', problem: true, detail: `required: ${provider.title} is configured (${provider.configuredBy} is set)` }
          : { ...base, state: 'missing', problem: false, detail: `required only when ${provider.title} is configured` };
      }
      if (meta.required) {
        return { ...base, state: 'missing', problem: meta.area === 'core', detail: `required by ${areaTitle(meta.area)}` };
      }
      return { ...base, state: 'missing', problem: false, detail: meta.default ? `optional, default ${meta.default}` : 'optional' };
    }
    const parsed = CordonEnv.shape[name]!.safeParse(raw);
    if (!parsed.success) {
      return { ...base, state: 'invalid', problem: true, detail: withoutValue(parsed.error.issues[0]?.message ?? 'is not a valid value', raw) };
    }
    if (provider && !providers.includes(provider.provider)) {
      return { ...base, state: 'set', problem: false, detail: `ignored: ${provider.title} is off (${provider.configuredBy} is not set)` };
    }
    return { ...base, state: 'set', problem: false, detail: meta.secret ? 'secret, not shown' : areaTitle(meta.area) };
  });
  const notes: ConfigCheck['notes'] = [];
  for (const rule of CROSS_VARIABLE_RULES) if (!rule.holds(env)) notes.push({ problem: true, detail: rule.message });
  const known = new Set<string>(CORDON_ENV_NAMES);
  for (const name of Object.keys(env).sort()) {
    if (name.startsWith('CORDON_') && !known.has(name)) notes.push({ problem: false, detail: `${name} is set but Cordon reads no such variable (a typo?)` });
  }
  if (providers.length === 0) notes.push({ problem: false, detail: 'no provider is configured: the worker needs the CORDON_<PROVIDER>_* variables of at least one' });
  return { ok: variables.every((v) => !v.problem) && notes.every((n) => !n.problem), providers, variables, notes };
}

const mark = (v: VariableCheck) => (v.state === 'set' ? 'set    ' : v.state === 'invalid' ? 'INVALID' : v.problem ? 'MISSING' : 'missing');

export function renderConfigCheck(check: ConfigCheck): string {
  const width = Math.max(...check.variables.map((v) => v.name.length));
  const lines = [`providers configured: ${check.providers.length ? check.providers.join(', ') : 'none'}`];
  let area: ConfigArea | undefined;
  for (const v of check.variables) {
    if (v.area !== area) lines.push('', `${areaTitle(v.area)}:`);
    area = v.area;
    lines.push(`  ${mark(v)} ${v.name.padEnd(width)}  ${v.detail}`);
  }
  if (check.notes.length) lines.push('', ...check.notes.map((n) => `${n.problem ? 'PROBLEM' : 'note   '} ${n.detail}`));
  lines.push('', check.ok ? 'configuration ok' : 'configuration has problems (MISSING, INVALID or PROBLEM above)');
  return lines.join('\n');
}

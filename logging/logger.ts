// Cordon's one logger: structured JSON lines with redaction. Fields whose name says secret are
// replaced, Secret values print as [redacted], and strings that look like well-known token formats
// are masked. Never log request bodies or Temporal payloads (docs/design.md, "Layout")
import { CoreEnv } from '../schemas/config.ts';
import { CREDENTIAL_ANYWHERE } from './credential-shapes.ts';

const SECRET_KEY = /(leaked|secret|token|password|private|credential_value|authorization|assertion|apikey|api_key|value)$/i;

export function redactText(text: string): string {
  let out = text;
  for (const re of CREDENTIAL_ANYWHERE) out = out.replace(re, (m) => `${m.slice(0, 4)}…[redacted]`);
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { reveal?: unknown }).reveal === 'function') return '[redacted]';
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== undefined ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(options: { level?: Level; write?: (line: string) => void; base?: Record<string, unknown> } = {}): Logger {
  // Lenient on purpose: a mistyped level must not stop a process from logging (`cordon config check` reports it).
  const fromEnv = CoreEnv.shape.CORDON_LOG_LEVEL.safeParse(process.env.CORDON_LOG_LEVEL);
  const min = ORDER[options.level ?? (fromEnv.success ? fromEnv.data : undefined) ?? 'info'] ?? ORDER.info;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = options.base ?? {};
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg: redactText(msg), ...(redact({ ...base, ...fields }) as object) }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

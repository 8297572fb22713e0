// `/cordon …` text and the contain modal's fields → a validated ContainmentInput, through the shared
// schemas (design.md §3). Pure: the listeners add who asked and where, then start what this returns.
import { MassContainmentId } from '../schemas/api.ts';
import { ContainmentInput, Severity, type ContainmentPolicy, type ContainmentRequest } from '../schemas/containment.ts';
import { CredentialKind, Provider, type CredentialRef } from '../schemas/credential.ts';
import { containsRawSecret, looksLikeRawSecret, RAW_SECRET_REFUSAL } from './raw-secret-guard.ts';

/** The inputs a responder gives, by the name the command and the modal show them under. */
export type ContainField = 'provider' | 'ref' | 'incident' | 'severity' | 'kind' | 'reason';

export interface ContainFields {
  provider: string;
  ref: string;
  incident: string;
  shared: boolean;
  severity?: string;
  kind?: string;
  reason?: string;
  breakGlass?: boolean;
}

/** What the app adds to every request: the requester is the Slack user who ran the command. */
export interface RequestContext {
  requester: string;
  approvers: string[];
  policy?: Omit<Partial<ContainmentPolicy>, 'approval'> & { approval?: Partial<ContainmentPolicy['approval']> };
}

export type BuildResult = { ok: true; input: ContainmentInput } | { ok: false; errors: Partial<Record<ContainField, string>> };

export type CordonCommand =
  | { kind: 'help' }
  | { kind: 'open_modal' }
  | { kind: 'status'; incidentId: string }
  | { kind: 'mass_status'; massId: string }
  | { kind: 'contain'; input: ContainmentInput };

export type ParseResult = { ok: true; command: CordonCommand } | { ok: false; error: string };

export const USAGE = [
  '`/cordon contain <provider> <ref> --incident <id> [--shared] [--severity low|medium|high|critical] [--kind <kind>] [--reason "…"] [--break-glass]`',
  '`/cordon contain` (no arguments) opens a form with the same inputs',
  '`/cordon status <incident>`',
  '`/cordon help`',
].join('\n');

const REF_KEYS: Record<string, keyof CredentialRef> = { id: 'id', client: 'clientId', user: 'user', key: 'keyId', fp: 'fingerprint' };

/** When --kind is not given: what each ref form usually names. */
const DEFAULT_KIND: Record<string, CredentialRef['kind']> = { id: 'oauth_token', client: 'oauth_grant', user: 'oauth_token', key: 'api_key', fp: 'oauth_token' };

/** Splits on spaces, keeping "quoted text" (straight or Slack's curly quotes) together. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /(?:--?[\w-]+=)?["“]([^"”]*)["”]|\S+/g;
  for (const m of text.matchAll(re)) {
    const quoted = m[1];
    if (quoted === undefined) out.push(m[0]);
    else {
      const prefix = /^(--?[\w-]+=)/.exec(m[0])?.[1] ?? '';
      out.push(`${prefix}${quoted}`);
    }
  }
  return out;
}

/**
 * How an input is repeated in an error. Short words only: the raw secret guard catches known token
 * shapes, and a long value that slipped past it is not echoed into Slack either.
 */
function shown(value: string): string {
  return value.length <= 24 ? `\`${value}\`` : 'the value given';
}

/** Parses `<ref>` (`id=…`, `client=… user=…`, `key=…`, `fp=…`) into a partial CredentialRef. */
function parseRef(text: string): { ok: true; ref: Partial<CredentialRef>; form: string } | { ok: false; error: string } {
  const ref: Partial<Record<keyof CredentialRef, string>> = {};
  let form = '';
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { ok: false, error: 'name the credential: id=…, client=…, user=…, key=… or fp=…' };
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).toLowerCase() : '';
    const field = REF_KEYS[key];
    if (!field) return { ok: false, error: `${shown(eq > 0 ? part.slice(0, eq) : part)} is not a ref form; use id=…, client=…, user=…, key=… or fp=…` };
    if (!part.slice(eq + 1)) return { ok: false, error: `\`${key}=\` needs a value` };
    ref[field] = part.slice(eq + 1);
    if (key !== 'user') form ||= key;
  }
  form ||= 'user';
  return { ok: true, ref: ref as Partial<CredentialRef>, form };
}

/** Maps a zod issue path of ContainmentInput to the input the responder typed it in. */
function fieldOf(path: readonly PropertyKey[]): ContainField {
  const [head, , sub] = path;
  if (head === 'incidentId') return 'incident';
  if (head === 'severity') return 'severity';
  if (head === 'reason') return 'reason';
  if (head === 'credentials' && sub === 'provider') return 'provider';
  if (head === 'credentials' && sub === 'kind') return 'kind';
  return 'ref';
}

/** The contain inputs (from the command or the modal) → a ContainmentInput, or an error per field. */
export function buildContainment(fields: ContainFields, ctx: RequestContext): BuildResult {
  const errors: Partial<Record<ContainField, string>> = {};
  // The modal reaches here without the command's whole-text check: no field may carry a secret.
  for (const f of ['ref', 'incident', 'reason', 'provider', 'kind', 'severity'] as const) {
    if (fields[f] && containsRawSecret(fields[f])) return { ok: false, errors: { [f]: RAW_SECRET_REFUSAL } };
  }
  const provider = Provider.safeParse(fields.provider.trim().toLowerCase());
  if (!provider.success) errors.provider = `${shown(fields.provider || '(empty)')} is not a provider; use one of ${Provider.options.join(', ')}`;
  const ref = parseRef(fields.ref.trim());
  if (!ref.ok) errors.ref = ref.error;
  let kind: CredentialRef['kind'] | undefined;
  if (fields.kind) {
    const k = CredentialKind.safeParse(fields.kind.trim());
    if (k.success) kind = k.data;
    else errors.kind = `${shown(fields.kind)} is not a credential kind; use one of ${CredentialKind.options.join(', ')}`;
  }
  let severity: Severity | undefined;
  if (fields.severity) {
    const s = Severity.safeParse(fields.severity.trim().toLowerCase());
    if (s.success) severity = s.data;
    else errors.severity = `${shown(fields.severity)} is not a severity; use low, medium, high or critical`;
  }
  if (!fields.incident.trim()) errors.incident = 'give the incident id: --incident INC-123';
  if (Object.keys(errors).length || !provider.success || !ref.ok) return { ok: false, errors };

  const policy = ctx.policy ?? {};
  const request: ContainmentRequest = {
    incidentId: fields.incident.trim(),
    requester: ctx.requester,
    credentials: [{ provider: provider.data, kind: kind ?? DEFAULT_KIND[ref.form] ?? 'oauth_token', ...ref.ref }],
    mode: fields.shared ? 'staged' : 'direct',
    breakGlass: fields.breakGlass ?? false,
    ...(severity ? { severity } : {}),
    ...(fields.reason?.trim() ? { reason: fields.reason.trim() } : {}),
    policy: { ...policy, approval: { ...policy.approval, approvers: ctx.approvers } } as ContainmentRequest['policy'],
  };
  const parsed = ContainmentInput.safeParse(request);
  if (parsed.success) return { ok: true, input: parsed.data };
  for (const issue of parsed.error.issues) errors[fieldOf(issue.path)] ??= issue.message;
  return { ok: false, errors };
}

const FLAG_NAMES: Record<ContainField, string> = { provider: '<provider>', ref: '<ref>', incident: '--incident', severity: '--severity', kind: '--kind', reason: '--reason' };

/** One line per wrong input, named as the command spells it. */
export function describeErrors(errors: Partial<Record<ContainField, string>>): string {
  return Object.entries(errors)
    .map(([field, message]) => `• ${FLAG_NAMES[field as ContainField]}: ${message}`)
    .join('\n');
}

export function parseCordonCommand(text: string, ctx: RequestContext): ParseResult {
  // Before anything else: a pasted secret is refused and never echoed back.
  // A mass containment id ends in 16 hex of a digest of its refs (client/mass.ts): not a secret, though it looks random.
  if (containsRawSecret(text.replace(/(cordon-mass-[A-Za-z0-9._:-]*?)-[0-9a-f]{16}\b/g, '$1'))) return { ok: false, error: RAW_SECRET_REFUSAL };
  const words = tokenize(text.trim());
  const [verb, ...rest] = words;
  switch ((verb ?? 'help').toLowerCase()) {
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'status': {
      if (rest.length !== 1) return { ok: false, error: `Usage: \`/cordon status <incident>\`, e.g. \`/cordon status INC-42\`, or \`/cordon status <mass containment id>\`` };
      // A mass containment's id (cordon-mass-<incident>-<hash>, as the API and CLI print it): its progress.
      if (rest[0]!.startsWith('cordon-mass-')) {
        const mass = MassContainmentId.safeParse(rest[0]);
        if (!mass.success) return { ok: false, error: `${shown(rest[0]!)} is not a mass containment id: ${mass.error.issues[0]?.message}` };
        return { ok: true, command: { kind: 'mass_status', massId: mass.data } };
      }
      const incident = ContainmentInput.shape.incidentId.safeParse(rest[0]);
      if (!incident.success) return { ok: false, error: `${shown(rest[0]!)} is not an incident id: ${incident.error.issues[0]?.message}` };
      return { ok: true, command: { kind: 'status', incidentId: incident.data } };
    }
    case 'contain':
      if (rest.length === 0) return { ok: true, command: { kind: 'open_modal' } };
      return parseContain(rest, ctx);
    default:
      return { ok: false, error: `${shown(verb!)} is not a /cordon command.\n${USAGE}` };
  }
}

function parseContain(words: string[], ctx: RequestContext): ParseResult {
  const positional: string[] = [];
  const fields: ContainFields = { provider: '', ref: '', incident: '', shared: false };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('--')) {
      positional.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = (eq > 0 ? word.slice(2, eq) : word.slice(2)).toLowerCase();
    const takeValue = (): string | undefined => (eq > 0 ? word.slice(eq + 1) : words[++i]);
    switch (name) {
      case 'shared':
        fields.shared = true;
        break;
      case 'break-glass':
        fields.breakGlass = true;
        break;
      case 'incident':
      case 'severity':
      case 'kind':
      case 'reason': {
        const value = takeValue();
        if (value === undefined || value.startsWith('--')) return { ok: false, error: `\`--${name}\` needs a value.\n${USAGE}` };
        fields[name] = value;
        break;
      }
      default:
        return { ok: false, error: `${shown(`--${name}`)} is not an option of /cordon contain.\n${USAGE}` };
    }
  }
  const [provider, ...refParts] = positional;
  if (!provider || refParts.length === 0) return { ok: false, error: `Name the provider and the credential.\n${USAGE}` };
  // Defence in depth: the guard ran on the whole text, but a ref part is checked once more by itself.
  if (refParts.some(looksLikeRawSecret)) return { ok: false, error: RAW_SECRET_REFUSAL };
  fields.provider = provider;
  fields.ref = refParts.join(' ');
  const built = buildContainment(fields, ctx);
  if (!built.ok) return { ok: false, error: `Nothing was started:\n${describeErrors(built.errors)}` };
  return { ok: true, command: { kind: 'contain', input: built.input } };
}

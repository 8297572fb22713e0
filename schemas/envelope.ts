// Authenticated channels (docs/trust-model.md): the envelope a way in (Slack app, HTTP API, CLI) wraps
// around a decision, a refusal or a cancel request, saying who it authenticated and how; and the
// workflow's judgement of it. Pure: the workflow imports this file.
//
// The way in signs the envelope (HMAC-SHA-256, codec/decision-envelope.ts) with a key the worker holds.
// The worker's codec checks the signature before the workflow sees the payload and hands its verdict on
// out of band (payload metadata → a Symbol-keyed property, ENVELOPE_VERDICT, that no JSON can carry).
// The workflow then checks what needs its own deterministic state: the workflow id and action the
// envelope names, its age against the workflow's clock, and that its nonce was never used in this run.
// A message without a valid envelope counts only as an unauthenticated Temporal-direct call.
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';

/** How long after its issue an envelope still counts, and how far ahead of the worker's clock it may be. */
export const ENVELOPE_TTL_MS = 10 * 60_000;
export const ENVELOPE_CLOCK_SKEW_MS = 60_000;

/** What authenticated the person behind a decision, refusal or cancel request. */
export const AuthenticatedBy = z.enum(['slack_signature', 'api_key', 'cli', 'unauthenticated']);
export type AuthenticatedBy = z.infer<typeof AuthenticatedBy>;

/** The authenticated identity, by the way in that authenticated it. */
export const Identity = z.discriminatedUnion('authenticatedBy', [
  /** A Slack request whose signature Bolt checked: the clicking user and their workspace. */
  z
    .object({
      authenticatedBy: z.literal('slack_signature'),
      slackUserId: z.string().min(1).max(64),
      slackTeamId: z.string().max(64),
      /** `signed_request`: Slack signed this request (HTTP receiver); `socket_mode`: it came over the app-token connection. */
      slackTransport: z.enum(['signed_request', 'socket_mode']),
    })
    .strict(),
  /** An API key the API matched: its configured name and the principal it acts as. */
  z.object({ authenticatedBy: z.literal('api_key'), apiKeyName: z.string().min(1).max(128), principal: z.string().min(1).max(256) }).strict(),
  /** The CLI on a host holding the envelope key: who that host says runs it, and where it read that. */
  z.object({ authenticatedBy: z.literal('cli'), source: z.enum(['os_user', 'operator_id']), user: z.string().min(1).max(256) }).strict(),
]);
export type Identity = z.infer<typeof Identity>;

/** The channel an authentication method stands for. */
export const CHANNEL_OF: Record<Identity['authenticatedBy'], 'slack' | 'api' | 'cli'> = { slack_signature: 'slack', api_key: 'api', cli: 'cli' };

export const EnvelopeAction = z.enum(['decide', 'refusal', 'cancel_request']);
export type EnvelopeAction = z.infer<typeof EnvelopeAction>;

export const ENVELOPE_VERSION = 1;

/** The signed part of a message: `signature` covers the message with every other envelope field (envelopeSigningText). */
export const Envelope = z
  .object({
    v: z.literal(ENVELOPE_VERSION),
    keyId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is letters, digits, . _ -'),
    identity: Identity,
    workflowId: z.string().min(1).max(512),
    action: EnvelopeAction,
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a nonce is 16 to 64 base64url characters'),
    issuedAt: z.iso.datetime({ offset: false }),
    signature: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'an HMAC-SHA-256 signature is 32 bytes in base64url'),
  })
  .strict();
export type Envelope = z.infer<typeof Envelope>;

/**
 * The text an envelope's signature covers: the whole message (decision, refusal or cancel request) with
 * its envelope, less the signature, as canonical JSON (./canonical-json.ts), under a domain tag.
 */
export function envelopeSigningText(message: Record<string, unknown> & { envelope: Record<string, unknown> }): string {
  const { signature: _signature, ...envelope } = message.envelope;
  return `cordon-envelope-v1\n${canonicalJson({ ...message, envelope })}`;
}

/** The worker codec's verdict on a message's envelope signature, attached out of band (see the file comment). */
export type EnvelopeVerdict = { valid: true; keyId: string } | { valid: false; reason: string };

/** Symbol.for: the same symbol in the payload converter and the workflow code of one workflow context. */
export const ENVELOPE_VERDICT = Symbol.for('cordon.envelopeVerdict');

/** The codec's verdict attached to a decoded message, if any (JSON cannot carry a Symbol-keyed property). */
export function envelopeVerdictOf(value: unknown): EnvelopeVerdict | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { [ENVELOPE_VERDICT]?: EnvelopeVerdict })[ENVELOPE_VERDICT];
}

/** What the evidence records about how a message's sender was authenticated. */
export type Authentication =
  | { channel: 'slack' | 'api' | 'cli'; authenticatedBy: Exclude<AuthenticatedBy, 'unauthenticated'>; identity: Identity }
  | {
      channel: 'temporal';
      authenticatedBy: 'unauthenticated';
      /** The channel the message named when it was not `temporal`: recorded as a claim, never counted. */
      claimedChannel?: string;
      /** Why an envelope the message carried was not accepted. */
      envelopeRefused?: string;
    };

/**
 * Judges a message's envelope. `nonces` are the nonces this run already accepted: a valid envelope's
 * nonce is added to it. Deterministic: the signature verdict comes with the payload, the rest is
 * checked against the run's own id, clock and state.
 */
export function authenticate(
  message: unknown,
  expected: { action: EnvelopeAction; workflowId: string; nowMs: number; nonces: Set<string>; claimedChannel: string | undefined },
): Authentication {
  const unauthenticated = (envelopeRefused?: string): Authentication => ({
    channel: 'temporal',
    authenticatedBy: 'unauthenticated',
    ...(expected.claimedChannel && expected.claimedChannel !== 'temporal' ? { claimedChannel: expected.claimedChannel.slice(0, 32) } : {}),
    ...(envelopeRefused ? { envelopeRefused } : {}),
  });
  const raw = typeof message === 'object' && message !== null ? (message as { envelope?: unknown }).envelope : undefined;
  if (raw === undefined || raw === null) return unauthenticated();
  const verdict = envelopeVerdictOf(message);
  if (!verdict) return unauthenticated('the envelope was not checked by a Cordon worker codec');
  if (!verdict.valid) return unauthenticated(verdict.reason);
  const parsed = Envelope.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return unauthenticated(`envelope.${issue?.path.join('.') || '(envelope)'}: ${issue?.message}`);
  }
  const e = parsed.data;
  if (e.workflowId !== expected.workflowId) return unauthenticated(`the envelope is for workflow ${e.workflowId.slice(0, 128)}, not this one`);
  if (e.action !== expected.action) return unauthenticated(`the envelope is for a ${e.action}, not a ${expected.action}`);
  const issued = Date.parse(e.issuedAt);
  if (issued > expected.nowMs + ENVELOPE_CLOCK_SKEW_MS) return unauthenticated(`the envelope was issued in the future (${e.issuedAt})`);
  if (expected.nowMs - issued > ENVELOPE_TTL_MS) return unauthenticated(`the envelope expired: issued ${e.issuedAt}, valid for ${ENVELOPE_TTL_MS / 60_000} minutes`);
  if (expected.nonces.has(e.nonce)) return unauthenticated('the envelope was already used (its nonce was seen before in this run)');
  const channel = CHANNEL_OF[e.identity.authenticatedBy];
  if (expected.claimedChannel !== undefined && expected.claimedChannel !== channel) {
    return unauthenticated(`the message names channel ${expected.claimedChannel.slice(0, 32)} but its envelope was signed for ${channel}`);
  }
  expected.nonces.add(e.nonce);
  return { channel, authenticatedBy: e.identity.authenticatedBy, identity: e.identity };
}

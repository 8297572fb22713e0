// The evidence hash chain: each event's `hash` is SHA-256 over the canonical JSON of the event without
// its `hash` (so including `prev`, the previous event's hash). Pure and deterministic: the workflow
// computes it in its sandbox (no node:crypto there, hence @noble/hashes), and `cordon evidence verify`
// recomputes it from an exported pack.
// Canonical JSON: see ./canonical-json.ts.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from './canonical-json.ts';
import { EvidenceEvent, type EvidenceDraft } from './evidence.ts';

export { canonicalJson };

/** `prev` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

export const sha256Hex = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));

/** The hash an event must carry: over everything but its own `hash`. */
export function eventHash(event: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = event;
  return sha256Hex(canonicalJson(rest));
}

/** The next event of a chain, from what the workflow records and where the chain stands. */
export function chainEvent(draft: EvidenceDraft, link: { seq: number; at: string; prev: string }): EvidenceEvent {
  const unhashed = { ...draft, seq: link.seq, at: link.at, prev: link.prev };
  // Undefined optional fields are dropped here so that the event carried in JSON hashes as written.
  const clean = JSON.parse(JSON.stringify(unhashed)) as Record<string, unknown>;
  return { ...clean, hash: eventHash(clean) } as EvidenceEvent;
}

export type ChainCheck =
  | { ok: true; digest: string; events: number }
  /** `index` is the position in the list; `seq` the event's own number when it has one. */
  | { ok: false; index: number; seq?: number; kind?: string; reason: string };

/**
 * Checks a list of events as exported: each parses as a typed event, numbers run 0, 1, 2…, each `prev`
 * is the previous event's hash (the genesis hash first) and each `hash` is recomputed. Returns the chain
 * head, or the first broken event and why.
 */
export function verifyChain(events: readonly unknown[]): ChainCheck {
  let prev = GENESIS_HASH;
  for (const [index, raw] of events.entries()) {
    const obj = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const at = { index, ...(typeof obj.seq === 'number' ? { seq: obj.seq } : {}), ...(typeof obj.kind === 'string' ? { kind: obj.kind } : {}) };
    const parsed = EvidenceEvent.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, ...at, reason: `not a valid evidence event: ${issue?.path.join('.') || '(event)'}: ${issue?.message}` };
    }
    const e = parsed.data;
    if (e.seq !== index) return { ok: false, ...at, reason: `seq is ${e.seq} where ${index} was expected (an event was removed, added or moved)` };
    if (e.prev !== prev) return { ok: false, ...at, reason: `prev ${e.prev.slice(0, 12)}… is not the previous event's hash ${prev.slice(0, 12)}…` };
    const expected = eventHash(obj);
    if (e.hash !== expected) return { ok: false, ...at, reason: `hash ${e.hash.slice(0, 12)}… does not match its content (recomputed ${expected.slice(0, 12)}…): the event was changed` };
    prev = e.hash;
  }
  return { ok: true, digest: prev, events: events.length };
}

/** A public key's id: the first 16 hex characters of SHA-256 over its raw 32 bytes (given in base64url). */
export function evidenceKeyId(publicKeyBase64url: string): string {
  return bytesToHex(sha256(base64urlToBytes(publicKeyBase64url))).slice(0, 16);
}

function base64urlToBytes(s: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of s.replace(/=+$/, '')) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base64url: ${JSON.stringify(ch)}`);
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** A whole chain from drafts, all at one time unless `at` says otherwise (fixtures and tests). */
export function chainOf(drafts: readonly EvidenceDraft[], at: (index: number) => string = () => '2026-01-01T00:00:00.000Z'): EvidenceEvent[] {
  const out: EvidenceEvent[] = [];
  for (const [i, d] of drafts.entries()) out.push(chainEvent(d, { seq: i, at: at(i), prev: out.at(-1)?.hash ?? GENESIS_HASH }));
  return out;
}

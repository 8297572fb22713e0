// `cordon evidence verify <file>`: checks an exported evidence pack (schemas/evidence.ts EvidencePack)
// away from Cordon — no Temporal, no worker: every event's hash and its link to the one before, the
// final digest, and the Ed25519 signature over it. The first broken event is named.
import { createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { evidenceKeyId, verifyChain } from '../schemas/evidence-chain.ts';
import { EVIDENCE_PACK_FORMAT, EvidencePack, evidenceSigningMessage, type EvidenceSeal } from '../schemas/evidence.ts';

export type PackCheck =
  | { ok: true; digest: string; events: number; signed: true; keyId: string; publicKey: string }
  /** A sound chain without a signature: the run was unsigned (verification fails; `--allow-unsigned` accepts it). */
  | { ok: true; digest: string; events: number; signed: false; unsignedReason: string }
  | { ok: false; reason: string; event?: { index: number; seq?: number; kind?: string } };

/**
 * Checks a parsed pack. `expectKey` (a public key in base64url, or its key id) pins who must have
 * signed: without it the pack's own key is used, which proves integrity but not who sealed it.
 */
export function verifyEvidencePack(raw: unknown, options: { expectKey?: string } = {}): PackCheck {
  const top = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined;
  if (!top) return { ok: false, reason: 'not an evidence pack: expected a JSON object' };
  if (top.format !== EVIDENCE_PACK_FORMAT) return { ok: false, reason: `not an evidence pack: format is ${JSON.stringify(top.format)}, expected ${JSON.stringify(EVIDENCE_PACK_FORMAT)}` };
  // The chain first, over the events as they are in the file: a changed byte is named by its event.
  const chain = verifyChain(Array.isArray(top.events) ? top.events : []);
  if (!Array.isArray(top.events)) return { ok: false, reason: 'events: expected an array' };
  if (!chain.ok) {
    const { reason, ...event } = chain;
    const { ok: _ok, ...where } = event;
    return { ok: false, reason: `event ${where.seq ?? where.index}${where.kind ? ` (${where.kind})` : ''}: ${reason}`, event: where };
  }
  const parsed = EvidencePack.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `not a valid evidence pack: ${issue?.path.join('.') || '(pack)'}: ${issue?.message}` };
  }
  const pack = parsed.data;
  if (pack.events.length === 0) return { ok: false, reason: 'the pack has no events' };
  if (pack.digest !== chain.digest) return { ok: false, reason: `digest ${pack.digest} is not the last event's hash ${chain.digest}: events were removed or added at the end` };
  if (pack.seal.digest !== chain.digest) return { ok: false, reason: `the seal covers digest ${pack.seal.digest}, not this chain's ${chain.digest}` };
  // The pack's own header must be what the signed chain says: its first and last events.
  const first = pack.events[0]!;
  if (first.kind !== 'started' || first.workflowId !== pack.workflowId || first.incidentId !== pack.incidentId) {
    return { ok: false, reason: `the chain does not start with the started event of workflow ${pack.workflowId}, incident ${pack.incidentId}`, event: { index: 0, seq: first.seq, kind: first.kind } };
  }
  const finished = pack.events.findLast((e) => e.kind === 'finished');
  if (finished?.kind !== 'finished' || finished.outcome !== pack.outcome) return { ok: false, reason: `outcome ${pack.outcome} is not the outcome the chain's finished event records (${finished?.kind === 'finished' ? finished.outcome : 'none'})` };
  return checkSeal(pack.seal, chain, options.expectKey);
}

function checkSeal(seal: EvidenceSeal, chain: { digest: string; events: number }, expectKey: string | undefined): PackCheck {
  if (!seal.signed) return { ok: true, digest: chain.digest, events: chain.events, signed: false, unsignedReason: seal.reason };
  if (evidenceKeyId(seal.publicKey) !== seal.keyId) return { ok: false, reason: `seal.keyId ${seal.keyId} is not the id of seal.publicKey (${evidenceKeyId(seal.publicKey)})` };
  if (expectKey && expectKey !== seal.publicKey && expectKey !== seal.keyId) return { ok: false, reason: `signed by key ${seal.keyId}, not the expected key ${expectKey}` };
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: seal.publicKey }, format: 'jwk' });
  const good = verify(null, Buffer.from(evidenceSigningMessage(seal.digest), 'utf8'), key, Buffer.from(seal.signature, 'base64url'));
  if (!good) return { ok: false, reason: `the signature does not match digest ${seal.digest} under key ${seal.keyId}` };
  return { ok: true, digest: chain.digest, events: chain.events, signed: true, keyId: seal.keyId, publicKey: seal.publicKey };
}

/** The command: reads the file, prints the verdict; exit 0 only for a sound, signed pack (or unsigned with `allowUnsigned`). */
export async function runEvidenceVerify(file: string, options: { expectKey?: string; allowUnsigned?: boolean; json?: boolean }, out: (text: string) => void): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const r: PackCheck = { ok: false, reason: `cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}` };
    out(options.json ? JSON.stringify(r) : `FAILED: ${r.reason}`);
    return 1;
  }
  const r = verifyEvidencePack(raw, options.expectKey ? { expectKey: options.expectKey } : {});
  if (options.json) out(JSON.stringify(r));
  else if (!r.ok) out(`FAILED: ${r.reason}`);
  else if (r.signed) out(`OK: ${r.events} events, chain intact, digest ${r.digest}, signed by key ${r.keyId} (public key ${r.publicKey})`);
  else out(`${options.allowUnsigned ? 'OK' : 'FAILED'}: ${r.events} events, chain intact, digest ${r.digest}, but UNSIGNED (${r.unsignedReason})`);
  return r.ok && (r.signed || options.allowUnsigned) ? 0 : 1;
}

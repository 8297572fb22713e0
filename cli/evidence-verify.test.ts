import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evidenceSignerFromSeed, sealDigest } from '../activities/evidence-seal.ts';
import { appendEvidence, finishedStatus } from '../drills/status-fixture.ts';
import { buildEvidencePack, type EvidencePack } from '../schemas/evidence.ts';
import { runEvidenceVerify, verifyEvidencePack } from './evidence-verify.ts';

const signer = evidenceSignerFromSeed(randomBytes(32));

function sealedPack(): EvidencePack {
  const s = finishedStatus();
  appendEvidence(s, { kind: 'notification_failed', actor: 'cordon', notification: 'completed', reason: 'HTTP 502' }, s.finishedAt!);
  s.seal = sealDigest(signer, s.evidenceDigest!);
  return buildEvidencePack(s);
}

describe('cordon evidence verify', () => {
  it('accepts a sealed pack: chain intact, digest signed by the worker key', () => {
    const pack = sealedPack();
    expect(verifyEvidencePack(pack)).toEqual({ ok: true, digest: pack.digest, events: pack.events.length, signed: true, keyId: signer.keyId, publicKey: signer.publicKey });
    expect(verifyEvidencePack(pack, { expectKey: signer.keyId }).ok).toBe(true);
  });

  it('detects a changed byte anywhere in the pack and names the event', () => {
    const text = JSON.stringify(sealedPack());
    let positions = 0;
    // Every seventh character of the whole pack, header and seal included: each change is refused.
    for (let i = 0; i < text.length; i += 7) {
      const ch = text[i]!;
      const swapped = ch === 'a' ? 'b' : ch === '0' ? '1' : /[A-Za-z0-9]/.test(ch) ? (ch === 'z' ? 'y' : String.fromCharCode(ch.charCodeAt(0) + 1)) : undefined;
      if (!swapped) continue;
      let tampered: unknown;
      try {
        tampered = JSON.parse(text.slice(0, i) + swapped + text.slice(i + 1));
      } catch {
        continue; // no longer JSON: the command refuses it before any check
      }
      const r = verifyEvidencePack(tampered);
      expect(r.ok, `byte ${i} (${ch}→${swapped}) went undetected`).toBe(false);
      positions++;
    }
    expect(positions).toBeGreaterThan(300);
    const pack = sealedPack();
    (pack.events[6] as { sink: string }).sink = 'local:attacker';
    expect(verifyEvidencePack(pack)).toMatchObject({ ok: false, event: { index: 6, seq: 6, kind: 'replaced' }, reason: expect.stringMatching(/^event 6 \(replaced\): hash .* does not match its content/) });
  });

  it('refuses a chain cut short, a seal over another digest, a forged signature and an unexpected key', () => {
    const cut = sealedPack();
    cut.events.pop();
    expect(verifyEvidencePack(cut)).toMatchObject({ ok: false, reason: expect.stringMatching(/is not the last event's hash/) });
    const other = sealedPack();
    const otherSigner = evidenceSignerFromSeed(randomBytes(32));
    other.seal = { ...sealDigest(otherSigner, 'f'.repeat(64)) };
    expect(verifyEvidencePack(other)).toMatchObject({ ok: false, reason: expect.stringMatching(/the seal covers digest f{64}/) });
    const forged = sealedPack();
    if (!forged.seal.signed) throw new Error('expected a signed seal');
    forged.seal = { ...forged.seal, publicKey: otherSigner.publicKey, keyId: otherSigner.keyId };
    expect(verifyEvidencePack(forged)).toMatchObject({ ok: false, reason: expect.stringMatching(/the signature does not match/) });
    const resigned = sealedPack();
    resigned.seal = sealDigest(otherSigner, resigned.digest);
    expect(verifyEvidencePack(resigned).ok).toBe(true); // sound, but by whom: pin the key
    expect(verifyEvidencePack(resigned, { expectKey: signer.publicKey })).toMatchObject({ ok: false, reason: expect.stringMatching(/not the expected key/) });
  });

  it('exits non-zero on a broken or unsigned pack, zero on a sound one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-verify-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    const unsigned = join(dir, 'unsigned.json');
    await writeFile(good, JSON.stringify(sealedPack()));
    await writeFile(bad, JSON.stringify(sealedPack()).replace('"approver":"carol"', '"approver":"carla"'));
    await writeFile(unsigned, JSON.stringify({ ...sealedPack(), seal: sealDigest(undefined, sealedPack().digest) }));
    const lines: string[] = [];
    const out = (t: string) => void lines.push(t);
    expect(await runEvidenceVerify(good, {}, out)).toBe(0);
    expect(lines.pop()).toMatch(/^OK: 13 events, chain intact, digest [0-9a-f]{64}, signed by key [0-9a-f]{16}/);
    expect(await runEvidenceVerify(bad, {}, out)).toBe(1);
    expect(lines.pop()).toMatch(/^FAILED: event 5 \(approval_decided\): hash/);
    expect(await runEvidenceVerify(unsigned, {}, out)).toBe(1);
    expect(lines.pop()).toMatch(/UNSIGNED \(the worker has no evidence signing key/);
    expect(await runEvidenceVerify(unsigned, { allowUnsigned: true }, out)).toBe(0);
    expect(await runEvidenceVerify(join(dir, 'missing.json'), {}, out)).toBe(1);
    expect(lines.pop()).toMatch(/^FAILED: cannot read/);
  });
});

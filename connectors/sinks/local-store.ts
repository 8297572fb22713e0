// The encrypted local credential store: one AES-256-GCM-sealed file per delivery in a folder, named
// by a hash of the idempotency key so a retried delivery finds the first one (I4). The value never
// leaves this module in clear except through `open()`, which the consumer's operator calls.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Consumer, SinkRef } from '../../schemas/credential.ts';
import { Secret } from '../../logging/secret.ts';
import { fingerprintOf } from '../fingerprint.ts';
import type { CredentialSink, DeliveredReplacement } from './types.ts';
import { writeFirst } from './first-write.ts';

interface SealedRecord extends DeliveredReplacement {
  consumerId: string;
  /** (workflow id, credential, consumer): not secret; lets a consumer's operator find what it was sent. */
  idempotencyKey?: string;
  deliveredAt: string;
  iv: string;
  tag: string;
  data: string;
}

export class LocalEncryptedStore implements CredentialSink {
  constructor(
    private readonly dir: string,
    private readonly key: Buffer,
  ) {
    if (key.length !== 32) throw new Error('local credential store: the key must be 32 bytes (AES-256)');
  }

  #file(idempotencyKey: string): string {
    return join(this.dir, `${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}.json`);
  }

  async #read(idempotencyKey: string): Promise<SealedRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.#file(idempotencyKey), 'utf8')) as SealedRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async lookup(idempotencyKey: string): Promise<DeliveredReplacement | undefined> {
    const r = await this.#read(idempotencyKey);
    return r ? { replacementId: r.replacementId, fingerprint: r.fingerprint, location: r.location } : undefined;
  }

  async deliver(input: { idempotencyKey: string; replacementId: string; consumer: Consumer; target: SinkRef | undefined; value: Secret }): Promise<DeliveredReplacement> {
    const existing = await this.lookup(input.idempotencyKey);
    if (existing) return existing;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = input.target?.type === 'local' ? input.target.name : input.consumer.id;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(input.idempotencyKey));
    const data = Buffer.concat([cipher.update(input.value.reveal(), 'utf8'), cipher.final()]);
    const record: SealedRecord = {
      replacementId: input.replacementId,
      fingerprint: fingerprintOf(input.value.reveal()),
      location: `local:${name}`,
      consumerId: input.consumer.id,
      idempotencyKey: input.idempotencyKey,
      deliveredAt: new Date().toISOString(),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    // The first record under the key is kept, even when two attempts deliver at once (first-write.ts).
    const kept = JSON.parse((await writeFirst(this.#file(input.idempotencyKey), JSON.stringify(record))).content) as SealedRecord;
    return { replacementId: kept.replacementId, fingerprint: kept.fingerprint, location: kept.location };
  }

  /** What was delivered to whom (never the values), oldest first: how a consumer's operator finds its replacements. */
  async deliveries(): Promise<(DeliveredReplacement & { consumerId: string; idempotencyKey: string; deliveredAt: string })[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: (DeliveredReplacement & { consumerId: string; idempotencyKey: string; deliveredAt: string })[] = [];
    for (const name of names) {
      const r = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as SealedRecord;
      // Records sealed before the key was kept cannot be opened without it: the operator has it from the run.
      if (r.idempotencyKey) out.push({ replacementId: r.replacementId, fingerprint: r.fingerprint, location: r.location, consumerId: r.consumerId, idempotencyKey: r.idempotencyKey, deliveredAt: r.deliveredAt });
    }
    return out.sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt));
  }

  /** The delivered value, for the consumer's operator (and tests that check what arrived). */
  async open(idempotencyKey: string): Promise<Secret | undefined> {
    const r = await this.#read(idempotencyKey);
    if (!r) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(r.iv, 'base64'));
    decipher.setAAD(Buffer.from(idempotencyKey));
    decipher.setAuthTag(Buffer.from(r.tag, 'base64'));
    return new Secret(Buffer.concat([decipher.update(Buffer.from(r.data, 'base64')), decipher.final()]).toString('utf8'));
  }
}

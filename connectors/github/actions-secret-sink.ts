// A credential sink that writes the replacement into a GitHub Actions repository secret, with
// GitHub's sealed-box flow (GitHub REST API docs: Actions secrets): fetch the repo's public key, crypto_box_seal the value
// with libsodium, PUT it with the key id. GitHub never returns a secret's value, so the record of
// what was delivered under which idempotency key is kept in a local index (one small JSON file per
// key, named by the key's hash) — a retried delivery finds the first one (I4). The index holds no value in the
// clear: with each record goes the sealed box written, which only GitHub can open (the repository's private key),
// so that an attempt whose record lost can write the kept delivery back (deliver, below).
// A repository's public key is kept for PUBLIC_KEY_TTL_MS and can be read ahead (`prepare`, called by the
// replacement activity beside the mint): the delivery then makes one call, the PUT. A PUT refused because
// the key changed meanwhile (422 on key_id) reads the key again and retries once.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Octokit } from '@octokit/rest';
import sodium from 'libsodium-wrappers';
import type { Consumer, SinkRef } from '../../schemas/credential.ts';
import type { Secret } from '../../logging/secret.ts';
import { fingerprintOf } from '../fingerprint.ts';
import { classifyGitHubError } from './errors.ts';
import { ConnectorError } from '../types.ts';
import type { CredentialSink, DeliveredReplacement } from '../sinks/types.ts';
import { writeFirst } from '../sinks/first-write.ts';

export interface GitHubActionsSinkOptions {
  /** An Octokit allowed to write the target repos' secrets (e.g. the connector's installation client). */
  octokit: Octokit;
  /** Folder for the delivery index; omitted = in memory (lost with the process). */
  indexDir?: string;
  /** Where deliveries without a github_actions_secret target go (e.g. the local encrypted store). */
  fallback?: CredentialSink;
}

type GitHubTarget = Extract<SinkRef, { type: 'github_actions_secret' }>;
interface RepoPublicKey {
  key: string;
  key_id: string;
}

/** How long a repository's public key is reused without reading it again. */
export const PUBLIC_KEY_TTL_MS = 10 * 60_000;

export class GitHubActionsSecretSink implements CredentialSink {
  readonly #octokit: Octokit;
  readonly #indexDir: string | undefined;
  readonly #fallback: CredentialSink | undefined;
  readonly #memory = new Map<string, IndexRecord>();
  /** owner/repo → the public key read (or being read) at `at`; a failed read is dropped. */
  readonly #publicKeys = new Map<string, { at: number; key: Promise<RepoPublicKey> }>();

  constructor(options: GitHubActionsSinkOptions) {
    this.#octokit = options.octokit;
    this.#indexDir = options.indexDir;
    this.#fallback = options.fallback;
  }

  #file(idempotencyKey: string): string {
    return join(this.#indexDir!, `${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}.json`);
  }

  async #recorded(idempotencyKey: string): Promise<DeliveredReplacement | undefined> {
    if (!this.#indexDir) return deliveredOf(this.#memory.get(idempotencyKey));
    try {
      return deliveredOf(JSON.parse(await readFile(this.#file(idempotencyKey), 'utf8')) as IndexRecord);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Records `delivered` under the key unless a delivery is recorded there already; the one kept (first-write.ts). */
  async #record(idempotencyKey: string, delivered: IndexRecord): Promise<IndexRecord> {
    if (!this.#indexDir) {
      const kept = this.#memory.get(idempotencyKey) ?? delivered;
      this.#memory.set(idempotencyKey, kept);
      return kept;
    }
    await mkdir(this.#indexDir, { recursive: true, mode: 0o700 });
    return JSON.parse((await writeFirst(this.#file(idempotencyKey), JSON.stringify(delivered))).content) as IndexRecord;
  }

  /** Reads the target repository's public key ahead of a delivery (a warm-up: a failure here is the delivery's to report). */
  async prepare(target: SinkRef | undefined): Promise<void> {
    if (target?.type !== 'github_actions_secret') return this.#fallback?.prepare?.(target);
    await this.#publicKey(target).catch(() => undefined);
  }

  #publicKey(target: GitHubTarget, fresh = false): Promise<RepoPublicKey> {
    const repo = `${target.owner}/${target.repo}`;
    const cached = this.#publicKeys.get(repo);
    if (cached && !fresh && Date.now() - cached.at < PUBLIC_KEY_TTL_MS) return cached.key;
    const key = this.#octokit.rest.actions.getRepoPublicKey({ owner: target.owner, repo: target.repo }).then((r) => ({ key: r.data.key, key_id: r.data.key_id }));
    const entry = { at: Date.now(), key };
    this.#publicKeys.set(repo, entry);
    key.catch(() => {
      if (this.#publicKeys.get(repo) === entry) this.#publicKeys.delete(repo);
    });
    return key;
  }

  async lookup(idempotencyKey: string): Promise<DeliveredReplacement | undefined> {
    return (await this.#recorded(idempotencyKey)) ?? (await this.#fallback?.lookup(idempotencyKey));
  }

  async deliver(input: { idempotencyKey: string; replacementId: string; consumer: Consumer; target: SinkRef | undefined; value: Secret }): Promise<DeliveredReplacement> {
    const existing = await this.lookup(input.idempotencyKey);
    if (existing) return existing;
    if (input.target?.type !== 'github_actions_secret') {
      if (this.#fallback) return this.#fallback.deliver(input);
      throw new ConnectorError('invalid', 'github', `github actions sink: consumer ${input.consumer.id} has no github_actions_secret target and no fallback sink is configured`);
    }
    const target: GitHubTarget = input.target;
    const where = `${target.owner}/${target.repo}:${target.secretName}`;
    const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (err) {
        throw classifyGitHubError(err, `${what} (${where})`);
      }
    };
    await sodium.ready;
    const write = (sealed: Sealed) =>
      call('writing the Actions secret', () =>
        this.#octokit.rest.actions.createOrUpdateRepoSecret({ owner: target.owner, repo: target.repo, secret_name: target.secretName, encrypted_value: sealed.encryptedValue, key_id: sealed.keyId }),
      );
    const put = async (fresh: boolean): Promise<Sealed> => {
      const key = await call('reading the repository public key', () => this.#publicKey(target, fresh));
      const box = sodium.crypto_box_seal(sodium.from_string(input.value.reveal()), sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL));
      const sealed = { encryptedValue: sodium.to_base64(box, sodium.base64_variants.ORIGINAL), keyId: key.key_id };
      await write(sealed);
      return sealed;
    };
    let sealed: Sealed;
    try {
      sealed = await put(false);
    } catch (err) {
      // The repository's key changed since it was read: GitHub refuses the key id (422). Once more, with the key read afresh.
      if (!(err instanceof ConnectorError) || err.options.status !== 422) throw err;
      sealed = await put(true);
    }
    const delivered: IndexRecord = { replacementId: input.replacementId, fingerprint: fingerprintOf(input.value.reveal()), location: `github:${where}`, sealed };
    const kept = await this.#record(input.idempotencyKey, delivered);
    // Two attempts delivering at once (connectors/replacement-attempts.ts) both write the secret before either
    // records; the index keeps one record. The one whose record lost writes the kept delivery's sealed box back:
    // its own write may have come after the winner's, and the winner writes only before recording, so this last
    // write leaves the secret holding the kept value. Left open: a losing attempt that dies between its write
    // and this one leaves its own value in the secret (and its mint alive, since it dies before ending it).
    if (kept.replacementId !== delivered.replacementId && kept.sealed) await write(kept.sealed);
    return deliveredOf(kept)!;
  }
}

/** A sealed box written to a secret: only GitHub can open it (the repository's private key). */
interface Sealed {
  encryptedValue: string;
  keyId: string;
}
/** What the index keeps per idempotency key: the delivery, and the sealed box written (records before it lack it). */
type IndexRecord = DeliveredReplacement & { sealed?: Sealed };

function deliveredOf(r: IndexRecord | undefined): DeliveredReplacement | undefined {
  return r && { replacementId: r.replacementId, fingerprint: r.fingerprint, location: r.location };
}

// Where replacement credentials go, straight from the activity that minted them (design.md I5).
// History only ever carries the location and a short fingerprint.
import type { Consumer, SinkRef } from '../../schemas/credential.ts';
import type { Secret } from '../../logging/secret.ts';

export interface DeliveredReplacement {
  replacementId: string;
  fingerprint: string;
  /** Human-readable location, e.g. `local:acme-ci` or `github:acme/api:SF_TOKEN`. */
  location: string;
}

export interface CredentialSink {
  /**
   * Store `value` for `consumer` under `idempotencyKey`. Delivering the same key twice keeps the
   * first delivery (a retried activity never replaces a replacement).
   */
  deliver(input: {
    idempotencyKey: string;
    replacementId: string;
    consumer: Consumer;
    target: SinkRef | undefined;
    value: Secret;
  }): Promise<DeliveredReplacement>;
  /** What was delivered under this key, if anything (lets `replace` be idempotent across crashes). */
  lookup(idempotencyKey: string): Promise<DeliveredReplacement | undefined>;
  /**
   * Optional warm-up for a delivery to `target`, run beside the mint (e.g. reading a repository's public key),
   * so the delivery itself makes fewer calls after it. Never throws: a failure is the delivery's to report.
   */
  prepare?(target: SinkRef | undefined): Promise<void>;
}

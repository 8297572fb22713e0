// Failure messages and stack traces are not payloads: without this they sit in Temporal history in
// clear, and a provider's error text could name a secret. `encodeCommonAttributes` moves them into
// an encoded attribute, which the payload codec then encrypts (design.md I5). Loaded by path, as the
// SDK requires, by every worker, workflow bundle and client Cordon creates.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

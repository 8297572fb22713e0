// The shapes of well-known credential formats, in one list: the log redactor masks them wherever they
// appear, and the Slack app refuses a message that starts a word with one (a pasted leaked value).
// Each is a prefix; what follows it, up to a space or quote, belongs to the credential.
// Sources: the providers' token format docs (docs/providers.md lists them).
export const CREDENTIAL_PREFIXES: readonly RegExp[] = [
  /gh[opsur]_[A-Za-z0-9]{16,}/, // GitHub tokens
  /github_pat_[A-Za-z0-9_]*/,
  /xox[abpres]-[A-Za-z0-9-]{6,}/, // Slack tokens
  /xoxe\.xox[bp]-/, // Slack rotating tokens
  /xapp-[A-Za-z0-9-]{6,}/,
  /ya29\.[A-Za-z0-9._-]{10,}/, // Google access tokens
  /1\/\/[A-Za-z0-9_-]{20,}/, // Google refresh tokens
  /AIza[A-Za-z0-9_-]{20,}/, // Google API keys
  /00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{10,}/, // Salesforce session ids
  /AKIA[A-Z0-9]{12,}/, // AWS access key ids
  /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // JWTs
  /sk-[A-Za-z0-9_-]{16,}/,
  /glpat-[A-Za-z0-9_-]{10,}/,
  /cordon_[A-Za-z0-9_-]{20,}/, // Cordon's own API keys
  /mem_leaked_[A-Za-z0-9_]{6,}/, // the reference tenant's leaked values
];

/** Anchored forms: does this word start with a credential? */
export const CREDENTIAL_AT_START: readonly RegExp[] = [...CREDENTIAL_PREFIXES.map((re) => new RegExp(`^(?:${re.source})`)), /^-----BEGIN/];

/** Global forms for redaction: the credential and the rest of its token, wherever it stands. */
export const CREDENTIAL_ANYWHERE: readonly RegExp[] = [
  ...CREDENTIAL_PREFIXES.map((re) => new RegExp(`(?:${re.source})[^\\s"'<>,;)]*`, 'g')),
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

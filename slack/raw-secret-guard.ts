// A leaked value must never be typed into Slack (issue 5): Slack keeps what it receives, so a pasted
// token is exposed once more. This guard recognises the shapes of real credentials and refuses them
// before anything is parsed, started or echoed; the refusal never repeats the value.


import { CREDENTIAL_AT_START } from '../logging/credential-shapes.ts';

/** Key names in `key=value` that can only carry a secret: Cordon's ref forms name credentials, not values. */
const SECRET_KEYS = new Set(['value', 'token', 'secret', 'leaked', 'leakedvalue', 'password', 'apikey', 'api_key']);

/** Long, mixed-case-and-digit strings that are not hex fingerprints: random like a token, not like an id. */
function looksRandom(word: string): boolean {
  if (word.length < 24) return false;
  if (/^[0-9a-f]+$/.test(word)) return false; // a fingerprint or a hex id
  return /[A-Z]/.test(word) && /[a-z]/.test(word) && /[0-9]/.test(word);
}

export function looksLikeRawSecret(word: string): boolean {
  const eq = word.indexOf('=');
  if (eq > 0 && SECRET_KEYS.has(word.slice(0, eq).toLowerCase().replace(/^-+/, ''))) return true;
  const value = eq > 0 ? word.slice(eq + 1) : word;
  return CREDENTIAL_AT_START.some((re) => re.test(value)) || looksRandom(value);
}

/** The first word of free text that looks like a secret, if any (the caller must not echo it). */
export function containsRawSecret(text: string): boolean {
  return text.split(/\s+/).some((w) => w.length > 0 && looksLikeRawSecret(w.replace(/^["“”']|["“”']$/g, '')));
}

export const RAW_SECRET_REFUSAL =
  'That looks like a raw credential, so nothing was started. Never type a leaked value into Slack: ' +
  'name it by its id (id=…, client=…, key=…) or its fingerprint (fp=<first 12 hex of its sha256>), ' +
  "or send the value through Cordon's HTTP API. Slack has now received that text, so treat it as exposed there as well.";

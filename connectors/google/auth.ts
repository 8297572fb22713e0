// Cordon's own Google identity: service-account JWTs on google-auth-library, with the token
// endpoint made configurable. The library hard-codes https://oauth2.googleapis.com/token
// (gtoken/getToken.js, google-auth-library docs), so a request interceptor on the client's own gaxios
// transporter rewrites that one URL: no global patching, and API calls are left alone.
import { JWT, OAuth2Client } from 'google-auth-library';
import type { GoogleConnectorConfig } from './config.ts';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** Directory and Reports scopes, granted by domain-wide delegation to the admin subject. */
export const ADMIN_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user',
  'https://www.googleapis.com/auth/admin.directory.user.security',
  'https://www.googleapis.com/auth/admin.reports.audit.readonly',
] as const;
/** IAM calls run as the service account itself (roles on the projects), not as the admin. */
export const CLOUD_SCOPES = ['https://www.googleapis.com/auth/cloud-platform'] as const;

type Transporter = JWT['transporter'];

/**
 * Send token requests to `tokenUrl` and never retry them inside the library: the Temporal
 * activity retry policy does the waiting (design.md §4).
 */
export function redirectTokenRequests(transporter: Transporter, tokenUrl: string, timeoutMs: number): void {
  transporter.interceptors.request.add({
    resolved: async (request) => {
      if (request.url.href === GOOGLE_TOKEN_URL) {
        request.url = new URL(tokenUrl);
        request.retry = false;
        request.retryConfig = { retry: 0 };
        request.timeout = timeoutMs;
      }
      return request;
    },
  });
}

/** A JWT-bearer client for a service-account key; `subject` impersonates a Workspace user. */
export function serviceAccountJwt(
  key: { email: string; privateKey: string; keyId?: string },
  options: { scopes: readonly string[]; subject?: string; tokenUrl: string; timeoutMs: number },
): JWT {
  // Scopes are always set: without them JWT silently switches to self-signed tokens, which
  // cannot impersonate (google-auth-library docs: domain-wide delegation).
  const jwt = new JWT({
    email: key.email,
    key: key.privateKey,
    ...(key.keyId ? { keyId: key.keyId } : {}),
    scopes: [...options.scopes],
    ...(options.subject ? { subject: options.subject } : {}),
  });
  redirectTokenRequests(jwt.transporter, options.tokenUrl, options.timeoutMs);
  return jwt;
}

/**
 * Forget the access token a JWT client holds, so its next request signs a fresh assertion and fetches a new
 * one (the state the JWT constructor starts in: an expired placeholder; the expired date also makes gtoken
 * skip its own cache).
 */
export function forgetAccessToken(jwt: JWT): void {
  jwt.credentials = { refresh_token: 'jwt-placeholder', expiry_date: 1 };
}

export function cordonClients(config: GoogleConnectorConfig): { admin: JWT; cloud: JWT } {
  const key = { email: config.credentials.client_email, privateKey: config.credentials.privateKey.reveal(), keyId: config.credentials.private_key_id };
  const common = { tokenUrl: config.tokenUrl, timeoutMs: config.timeoutMs };
  return {
    admin: serviceAccountJwt(key, { ...common, scopes: ADMIN_SCOPES, subject: config.subject }),
    cloud: serviceAccountJwt(key, { ...common, scopes: CLOUD_SCOPES }),
  };
}

/** A client holding someone else's refresh token, to probe whether Google still honours it. */
export function refreshTokenClient(config: GoogleConnectorConfig, clientId: string | undefined, refreshToken: string): OAuth2Client {
  const client = new OAuth2Client({ ...(clientId ? { clientId } : {}), endpoints: { oauth2TokenUrl: config.tokenUrl } });
  client.setCredentials({ refresh_token: refreshToken });
  return client;
}

/** A client presenting someone else's access token as it is (no refresh), to probe it. */
export function accessTokenClient(accessToken: string): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: accessToken });
  return client;
}

// Google's OAuth 2.0 endpoints (oauth2.googleapis.com /token and /revoke) and the bearer checks
// the API endpoints share. The JWT-bearer grant is how a service account with domain-wide
// delegation gets an access token (Google OAuth 2.0 docs: service accounts, domain-wide delegation); the refresh-token grant is what a vendor app
// holding a user's grant does, so a stolen refresh token can be replayed and probed.
import { verify } from 'node:crypto';
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import type { AccessToken, GoogleState } from './state.ts';
import { adminError, adminUnauthorized, iamError, iamUnauthorized, oauthError } from './wire.ts';

/** The audience google-auth-library hard-codes into every assertion (gtoken/jwsSign.js). */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google refuses assertions valid for more than an hour, with a little clock skew allowed. */
const MAX_ASSERTION_LIFETIME_SEC = 3600;
const CLOCK_SKEW_SEC = 300;

export const SCOPE = {
  user: 'https://www.googleapis.com/auth/admin.directory.user',
  userReadonly: 'https://www.googleapis.com/auth/admin.directory.user.readonly',
  userSecurity: 'https://www.googleapis.com/auth/admin.directory.user.security',
  reports: 'https://www.googleapis.com/auth/admin.reports.audit.readonly',
  cloudPlatform: 'https://www.googleapis.com/auth/cloud-platform',
  iam: 'https://www.googleapis.com/auth/iam',
} as const;

export function addOAuthRoutes(router: Router, state: GoogleState): void {
  router.add('POST', '/token', 'oauth2.token', (req, call) => token(state, req, call));
  router.add('POST', '/revoke', 'oauth2.revoke', (req, call) => revoke(state, req, call));
}

function token(state: GoogleState, req: EmuRequest, call: CallContext): EmuResponse {
  const grantType = req.form.get('grant_type');
  if (grantType === JWT_BEARER) return jwtBearer(state, req.form.get('assertion') ?? '', call);
  if (grantType === 'refresh_token') return refreshGrant(state, req.form.get('refresh_token') ?? '', req.form.get('client_id'), call);
  if (!grantType) return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ');
  return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
}

interface AssertionClaims {
  iss?: string;
  sub?: string;
  scope?: string;
  aud?: string;
  iat?: number;
  exp?: number;
}

function jwtBearer(state: GoogleState, assertion: string, call: CallContext): EmuResponse {
  const parts = assertion.split('.');
  if (parts.length !== 3) return oauthError(400, 'invalid_grant', 'Invalid JWT: Malformed JWT.');
  let header: { alg?: string };
  let claims: AssertionClaims;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string };
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as AssertionClaims;
  } catch {
    return oauthError(400, 'invalid_grant', 'Invalid JWT: Malformed JWT.');
  }
  const account = claims.iss ? state.account(claims.iss) : undefined;
  if (!account || account.disabled) return oauthError(400, 'invalid_grant', 'Invalid grant: account not found');
  call.target = claims.sub ?? account.email;
  // The signature must verify against one of the account's live keys; a deleted or disabled key
  // fails exactly like a forged one (Cloud IAM docs: a deleted key fails like a forged one).
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  const signer =
    header.alg === 'RS256'
      ? state.keysOf(account).find(([, k]) => !k.disabled && k.material && verify('sha256', signed, k.material.publicKeyPem, signature))
      : undefined;
  if (!signer) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
  const [keyName, key] = signer;
  call.credential = keyName;
  if (claims.aud !== GOOGLE_TOKEN_AUDIENCE)
    return oauthError(400, 'invalid_grant', `Invalid JWT: Failed audience check. The expected value was ${GOOGLE_TOKEN_AUDIENCE}`);
  const now = Math.floor(Date.now() / 1000);
  if (
    typeof claims.iat !== 'number' ||
    typeof claims.exp !== 'number' ||
    claims.exp - claims.iat > MAX_ASSERTION_LIFETIME_SEC ||
    claims.exp < now - CLOCK_SKEW_SEC ||
    claims.iat > now + CLOCK_SKEW_SEC
  )
    return oauthError(
      400,
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  const scopes = (claims.scope ?? '').split(' ').filter(Boolean);
  if (scopes.length === 0) return oauthError(400, 'invalid_scope', 'Empty or missing scope not allowed.');
  key.lastUsedAt = new Date().toISOString();
  if (claims.sub === undefined) {
    const issued = state.issueAccessToken({ principal: account.email, principalType: 'service_account', scopes: new Set(scopes), keyName, label: keyName });
    return { status: 200, body: { access_token: issued.value, expires_in: issued.expiresIn, token_type: 'Bearer' } };
  }
  const subject = state.user(claims.sub);
  if (!subject || state.isSuspended(subject)) return oauthError(400, 'invalid_grant', 'Invalid email or User ID');
  // Domain-wide delegation is granted to the account's OAuth client id, scope by scope.
  const delegated = state.delegation.get(account.uniqueId);
  if (!delegated || scopes.some((s) => !delegated.has(s)))
    return oauthError(
      401,
      'unauthorized_client',
      'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
    );
  const issued = state.issueAccessToken({ principal: subject.primaryEmail, principalType: 'user', scopes: new Set(scopes), keyName, label: keyName });
  return { status: 200, body: { access_token: issued.value, expires_in: issued.expiresIn, token_type: 'Bearer' } };
}

function refreshGrant(state: GoogleState, refreshToken: string, clientId: string | null, call: CallContext): EmuResponse {
  const grant = state.grants.find((g) => g.refreshToken === refreshToken);
  const revoked = () => oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
  if (!grant) return revoked();
  call.credential = grant.id;
  call.target = grant.userKey;
  if (clientId && clientId !== grant.clientId) return oauthError(401, 'unauthorized_client', 'Unauthorized');
  const user = state.user(grant.userKey);
  if (!user || state.isSuspended(user)) return revoked();
  grant.lastUsedAt = new Date().toISOString();
  const issued = state.issueAccessToken({ principal: user.primaryEmail, principalType: 'user', scopes: new Set(grant.scopes), grantId: grant.id, label: grant.id });
  return { status: 200, body: { access_token: issued.value, expires_in: issued.expiresIn, scope: grant.scopes.join(' '), token_type: 'Bearer' } };
}

/** Revoking either token of a grant revokes the grant (developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke). */
function revoke(state: GoogleState, req: EmuRequest, call: CallContext): EmuResponse {
  const value = req.query.get('token') ?? req.form.get('token') ?? '';
  const invalid = () => oauthError(400, 'invalid_token', 'Token expired or revoked');
  const access = state.liveAccessToken(value);
  let grantId = access?.grantId;
  if (access) {
    call.credential = access.label;
    state.accessTokens.delete(value);
  } else {
    grantId = state.grants.find((g) => g.refreshToken === value)?.id;
    if (!grantId) return invalid();
    call.credential = grantId;
  }
  if (grantId) {
    const grant = state.grants.find((g) => g.id === grantId);
    if (grant) {
      state.grants = state.grants.filter((g) => g !== grant);
      state.addEvent({ at: new Date().toISOString(), userKey: grant.userKey, clientId: grant.clientId, eventName: 'revoke', appName: state.clients.get(grant.clientId)?.name ?? '', scopes: grant.scopes });
      call.target = grant.userKey;
    }
  }
  return { status: 200, body: {} };
}

/**
 * Admin SDK authorisation: a live bearer token, one of the method's scopes, and an admin user
 * behind it (a service account is never a Workspace admin by itself: it must impersonate one).
 */
export function requireAdmin(state: GoogleState, req: EmuRequest, call: CallContext, anyOf: readonly string[]): AccessToken | EmuResponse {
  const token = state.liveAccessToken(req.bearer);
  if (!token) return adminUnauthorized();
  call.credential = token.label;
  if (!anyOf.some((s) => token.scopes.has(s)))
    return adminError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
  const user = token.principalType === 'user' ? state.user(token.principal) : undefined;
  if (!user?.isAdmin) return adminError(403, 'forbidden', 'Not Authorized to access this resource/api');
  return token;
}

/** Cloud IAM authorisation: a live token with a cloud scope; the permission check is per project. */
export function requireCloudToken(state: GoogleState, req: EmuRequest, call: CallContext): AccessToken | EmuResponse {
  const token = state.liveAccessToken(req.bearer);
  if (!token) return iamUnauthorized();
  call.credential = token.label;
  if (!token.scopes.has(SCOPE.cloudPlatform) && !token.scopes.has(SCOPE.iam))
    return iamError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com' },
    ]);
  return token;
}

export function isResponse(x: AccessToken | EmuResponse): x is EmuResponse {
  return 'status' in x;
}

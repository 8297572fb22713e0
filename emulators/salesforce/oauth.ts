// The OAuth endpoints (Salesforce OAuth 2.0 docs: JWT bearer flow, refresh token flow, token revocation;
// the identity URL): POST /services/oauth2/token issues sessions for an enforcing profile's login IP ranges
// only, /services/oauth2/revoke ends a grant or a session, GET /id/{orgId}/{userId} is who the session is.
import { createHmac, createPublicKey, verify } from 'node:crypto';
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import { sfDateTime, type OrgApp, type OrgSession, type OrgUser } from './org.ts';
import type { SalesforceState } from './state.ts';
import { NOT_FOUND, oauthError } from './wire.ts';

export function addOAuthRoutes(router: Router, state: SalesforceState): void {
  const { org } = state;
  const tokenResponse = (session: OrgSession, refreshToken?: string): EmuResponse => ({
    status: 200,
    body: {
      access_token: session.accessToken,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      signature: createHmac('sha256', org.id).update(`${state.baseUrl}/id/${org.id}/${session.userId}${Date.now()}`).digest('base64'),
      scope: session.scopes.join(' '),
      instance_url: state.baseUrl,
      id: `${state.baseUrl}/id/${org.id}/${session.userId}`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    },
  });

  /**
   * A login from outside the user's profile login IP ranges, through an app that enforces them: refused, and
   * recorded in LoginHistory as "Restricted IP" (Salesforce Help: "Restrict Login IP Ranges in a Profile"; the
   * token endpoint's error_description "ip restricted" [unverified for the JWT bearer flow]).
   */
  const ipRestricted = (req: EmuRequest, user: OrgUser, app: OrgApp): EmuResponse | undefined => {
    const address = state.sourceIp(req, user.id);
    if (org.ipAllowed(user, app, address)) return undefined;
    org.addLogin(user.id, { at: new Date().toISOString(), loginType: 'Remote Access 2.0', application: app.name, sourceIp: address, status: 'Restricted IP', apiType: null });
    return oauthError('invalid_grant', 'ip restricted');
  };

  // POST /services/oauth2/token, grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (Salesforce OAuth 2.0 docs).
  const jwtBearer = (req: EmuRequest, call: CallContext): EmuResponse => {
    const assertion = req.form.get('assertion') ?? '';
    const [h, p, s] = assertion.split('.');
    if (!h || !p || !s) return oauthError('invalid_grant', 'invalid assertion');
    let header: { alg?: string };
    let claims: { iss?: string; sub?: string; aud?: string | string[]; exp?: number };
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    } catch {
      return oauthError('invalid_grant', 'invalid assertion');
    }
    const app = claims.iss ? org.appByConsumerKey(claims.iss) : undefined;
    if (!app) return oauthError('invalid_client_id', 'client identifier invalid');
    call.credential = app.id;
    if (header.alg !== 'RS256' || !app.publicKeyPem) return oauthError('invalid_grant', 'invalid assertion');
    const signatureOk = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey(app.publicKeyPem), Buffer.from(s, 'base64url'));
    if (!signatureOk) return oauthError('invalid_grant', 'invalid assertion');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const accepted = [state.baseUrl, 'https://login.salesforce.com', 'https://test.salesforce.com'];
    if (!audiences.some((a) => a && accepted.includes(a.replace(/\/$/, '')))) return oauthError('invalid_grant', 'audience is invalid');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return oauthError('invalid_grant', 'expired authorization code'); // text [unverified]
    const user = claims.sub ? org.userByUsername(claims.sub) : undefined;
    if (!user) return oauthError('invalid_grant', 'user hasn\'t approved this consumer');
    call.target = user.id;
    if (!user.isActive) return oauthError('invalid_grant', 'inactive user');
    if (user.frozen) return oauthError('invalid_grant', 'authentication failure'); // a frozen user cannot log in (Salesforce object reference: UserLogin)
    if (app.adminApprovedUsersOnly && !app.approvedUserIds.has(user.id)) {
      return oauthError('invalid_grant', 'user hasn\'t approved this consumer');
    }
    const restricted = ipRestricted(req, user, app);
    if (restricted) return restricted;
    const session = org.issueSession({ userId: user.id, appId: app.id, scopes: ['api'], loginType: 'Remote Access 2.0', sourceIp: state.sourceIp(req, user.id) });
    return tokenResponse(session);
  };

  const refreshGrant = (req: EmuRequest, call: CallContext): EmuResponse => {
    const app = org.appByConsumerKey(req.form.get('client_id') ?? '');
    if (!app) return oauthError('invalid_client_id', 'client identifier invalid');
    const grant = org.grantForRefreshToken(req.form.get('refresh_token') ?? '');
    if (!grant || grant.appId !== app.id) return oauthError('invalid_grant', 'expired access/refresh token');
    call.credential = grant.key;
    call.target = grant.userId;
    const user = org.users.get(grant.userId);
    if (!user?.isActive) return oauthError('invalid_grant', 'inactive user');
    if (user.frozen) return oauthError('invalid_grant', 'authentication failure');
    const restricted = ipRestricted(req, user, app);
    if (restricted) return restricted;
    grant.useCount += 1;
    grant.lastUsedDate = sfDateTime(new Date());
    const session = org.issueSession({ userId: user.id, appId: app.id, grantKey: grant.key, scopes: grant.scopes, loginType: 'Remote Access 2.0', sourceIp: state.sourceIp(req, user.id) });
    return tokenResponse(session);
  };

  // POST (or GET ?token=) /services/oauth2/revoke: 200 empty, or 400 with a FORM-ENCODED body (Salesforce OAuth 2.0 token revocation docs).
  const revoke = (req: EmuRequest, call: CallContext): EmuResponse => {
    const token = req.form.get('token') ?? req.query.get('token') ?? '';
    const grant = org.grantForRefreshToken(token) ?? org.grantForDeleteToken(token);
    if (grant) {
      call.credential = grant.key;
      call.target = grant.key;
      org.revokeGrant(grant);
      return { status: 200 };
    }
    const session = [...org.sessions.values()].find((s) => s.accessToken === token);
    if (session) {
      call.credential = session.id;
      call.target = session.id;
      org.endSession(session);
      return { status: 200 };
    }
    return {
      status: 400,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ error: 'invalid_token', error_description: 'invalid token' }).toString(),
    };
  };

  // GET /id/{orgId}/{userId}: the identity URL the token response points at (jsforce conn.identity()).
  const identity = (req: EmuRequest, call: CallContext): EmuResponse => {
    const session = org.sessionForToken(req.bearer);
    if (!session) return { status: 403, body: 'Bad_OAuth_Token', headers: { 'content-type': 'text/plain' } };
    call.credential = session.id;
    const user = org.users.get(req.params.userId ?? '');
    if (!user || req.params.orgId !== org.id) return NOT_FOUND();
    call.target = user.id;
    return {
      status: 200,
      body: {
        id: `${state.baseUrl}/id/${org.id}/${user.id}`,
        user_id: user.id,
        organization_id: org.id,
        username: user.username,
        display_name: user.name,
        email: user.email,
        active: user.isActive,
        user_type: 'STANDARD',
        urls: { rest: `${state.baseUrl}/services/data/v{version}/`, query: `${state.baseUrl}/services/data/v{version}/query/` },
      },
    };
  };

  router
    .add('POST', '/services/oauth2/token', 'oauth2.requestToken', (req, call) => {
      const grantType = req.form.get('grant_type');
      if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return jwtBearer(req, call);
      if (grantType === 'refresh_token') return refreshGrant(req, call);
      return oauthError('unsupported_grant_type', 'grant type not supported');
    })
    .add('POST', '/services/oauth2/revoke', 'oauth2.revokeToken', revoke)
    .add('GET', '/services/oauth2/revoke', 'oauth2.revokeToken', revoke)
    .add('GET', '/id/:orgId/:userId', 'identity', identity);
}

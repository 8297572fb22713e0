// Emulator of the Salesforce subset Cordon uses: the OAuth token endpoint (JWT bearer + refresh token),
// the revoke endpoint, and REST under /services/data/vXX.X (SOQL query over OauthToken, AuthSession, User,
// UserLogin, ConnectedApplication, LoginHistory, Profile; AuthSession delete, one or up to 200 at once through sObject
// Collections; UserLogin/User update; limits), and the Metadata API's SOAP endpoint for a profile's login IP
// ranges (metadata.ts), which the token endpoint enforces.
// Wire facts: Salesforce REST API (SOQL query, sObject Collections) and OAuth 2.0 JWT bearer and token
// revocation docs (jsforce 3.10.16 talks to it).
import { createHmac, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { Router, type CallContext, type EmuRequest, type EmuResponse } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import type { ErrorShapes } from '../core/server.ts';
import { Org, SOQL_OBJECTS, sfDateTime, type OrgApp, type OrgGrant, type OrgSession, type OrgUser } from './org.ts';
import type { SalesforceScenario } from './scenario.ts';
import { parseSoql, runSoql, SoqlError, type AttributesOf } from './soql.ts';
import { metadataSoapHandler } from './metadata.ts';
import type { SalesforceLoginIpRange } from './scenario.ts';

/**
 * A header the real SDKs never send: tests and drills name the caller's address with it, since every caller of
 * the emulator is 127.0.0.1. Without it, setClientAddress() and then X-Forwarded-For decide.
 */
export const CLIENT_IP_HEADER = 'x-emulator-client-ip';

/** REST errors are a JSON array of `{message, errorCode}` (Salesforce REST API docs: limits and errors). */
function restError(status: number, errorCode: string, message: string): EmuResponse {
  return { status, body: [{ message, errorCode }] };
}

/** Token-endpoint errors are OAuth JSON `{error, error_description}` (Salesforce OAuth 2.0 docs). */
function oauthError(error: string, description: string, status = 400): EmuResponse {
  return { status, body: { error, error_description: description } };
}

const INVALID_SESSION = () => restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
const NOT_FOUND = () => restError(404, 'NOT_FOUND', 'The requested resource does not exist');
const INSUFFICIENT_ACCESS = () =>
  restError(403, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id'); // status [unverified]

export const salesforceErrors: ErrorShapes = {
  // Salesforce sends no Retry-After: the daily limit is a rolling 24-hour window (Salesforce REST API docs: limits and errors).
  rateLimited: () => restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
  unavailable: (status) =>
    status === 503
      ? restError(503, 'SERVER_UNAVAILABLE', 'Server is temporarily unavailable. Please try again later.')
      : status === 500
        ? restError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1880513517-12345 (-1133441545)')
        : // Edge proxies answer other 5xx with an HTML page; jsforce reports it as ERROR_HTTP_<status>.
          { status, headers: { 'content-type': 'text/html' }, body: `<html><body><h1>${status}</h1>Service unavailable</body></html>` },
  unauthorized: INVALID_SESSION,
  notFound: NOT_FOUND,
  methodNotAllowed: () => restError(405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed for this resource'),
  internal: (m) => restError(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred: ${m}`),
};

/** API versions the emulator serves; jsforce's default 50.0 is among them (jsforce docs). */
const MIN_VERSION = 31;
const MAX_VERSION = 66;
const QUERY_BATCH = 2000;
/** A query on OauthToken returns at most 2,500 rows, whatever the filter allows (schemas/credential.ts ScopeReport). */
export const OAUTH_TOKEN_ROW_CAP = 2500;

function versionLabel(v: number): string {
  const offset = MAX_VERSION - v;
  const group = Math.floor(offset / 3);
  const season = ['Spring', 'Winter', 'Summer'][offset % 3]!;
  const year = season === 'Summer' ? 25 - group : 26 - group;
  return `${season} '${String(year).padStart(2, '0')}`;
}

function parseVersion(text: string | undefined): number | undefined {
  const m = /^v(\d+)\.0$/.exec(text ?? '');
  const n = m ? Number(m[1]) : NaN;
  return n >= MIN_VERSION && n <= MAX_VERSION ? n : undefined;
}

export interface SalesforceEmulator extends ProviderEmulator<SalesforceScenario> {
  /** Test and drill helper: the fixture value of a grant (refresh token) or session (access token) by its id. */
  fixtureValue(id: string): string | undefined;
  /** Test helper: the DeleteToken of a grant, as OauthToken shows it. */
  deleteTokenOf(grantKey: string): string | undefined;
  /** Test helper: the login IP ranges of a user's profile now (empty: any address), or undefined for an unknown user. */
  profileLoginIpRanges(userId: string): SalesforceLoginIpRange[] | undefined;
  /**
   * Test and drill helper: the address the emulator sees for calls made as `userId` (or, without a user, for every
   * call), where no x-emulator-client-ip header says otherwise; undefined forgets it. Reset by load().
   */
  setClientAddress(address: string | undefined, userId?: string): void;
}

export function createSalesforceEmulator(): SalesforceEmulator {
  const org = new Org();
  let baseUrl = 'http://127.0.0.1';
  let loaded: SalesforceScenario | undefined;
  // Cordon's own JWT-bearer key pair: generated here so no private key sits in a scenario file; the
  // public half is registered as the certificate of the scenario's Cordon connected app.
  let cordonKeys: { privateKeyPem: string; publicKeyPem: string } | undefined;
  const cursors = new Map<string, Record<string, unknown>[]>();
  let cursorSeq = 0;
  const clientAddresses = new Map<string, string>();
  let globalClientAddress: string | undefined;

  const keys = () => {
    if (!cordonKeys) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      cordonKeys = {
        privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
    }
    return cordonKeys;
  };

  const tokenResponse = (session: OrgSession, refreshToken?: string): EmuResponse => ({
    status: 200,
    body: {
      access_token: session.accessToken,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      signature: createHmac('sha256', org.id).update(`${baseUrl}/id/${org.id}/${session.userId}${Date.now()}`).digest('base64'),
      scope: session.scopes.join(' '),
      instance_url: baseUrl,
      id: `${baseUrl}/id/${org.id}/${session.userId}`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    },
  });

  const sourceIp = (req: EmuRequest, userId?: string) => {
    const header = req.headers[CLIENT_IP_HEADER] ?? (userId ? clientAddresses.get(userId) : undefined) ?? globalClientAddress ?? req.headers['x-forwarded-for'] ?? '127.0.0.1';
    return String(header).split(',')[0]!.trim();
  };

  /**
   * A login from outside the user's profile login IP ranges, through an app that enforces them: refused, and
   * recorded in LoginHistory as "Restricted IP" (Salesforce Help: "Restrict Login IP Ranges in a Profile"; the
   * token endpoint's error_description "ip restricted" [unverified for the JWT bearer flow]).
   */
  const ipRestricted = (req: EmuRequest, user: OrgUser, app: OrgApp): EmuResponse | undefined => {
    const address = sourceIp(req, user.id);
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
    const accepted = [baseUrl, 'https://login.salesforce.com', 'https://test.salesforce.com'];
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
    const session = org.issueSession({ userId: user.id, appId: app.id, scopes: ['api'], loginType: 'Remote Access 2.0', sourceIp: sourceIp(req, user.id) });
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
    const session = org.issueSession({ userId: user.id, appId: app.id, grantKey: grant.key, scopes: grant.scopes, loginType: 'Remote Access 2.0', sourceIp: sourceIp(req, user.id) });
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

  /** Wraps a REST handler: version check, bearer session, API-usage accounting (Salesforce REST API docs: limits and errors). */
  const rest =
    (handler: (req: EmuRequest, call: CallContext, session: OrgSession, version: number) => EmuResponse) =>
    (req: EmuRequest, call: CallContext): EmuResponse => {
      const version = parseVersion(req.params.version);
      if (version === undefined) return NOT_FOUND();
      const session = org.sessionForToken(req.bearer);
      if (!session) return INVALID_SESSION();
      call.credential = session.id;
      org.apiUsed += 1;
      if (org.apiUsed > org.apiLimit) return salesforceErrors.rateLimited(0);
      return handler(req, call, session, version);
    };

  const attributesFor =
    (version: number): AttributesOf =>
    (object, row): Record<string, string> =>
      typeof row.Id === 'string' ? { type: object, url: `/services/data/v${version}.0/sobjects/${object}/${row.Id}` } : { type: object };

  const invalidType = (name: string) =>
    restError(
      400,
      'INVALID_TYPE',
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );

  const query = rest((req, call, session, version) => {
    const q = req.query.get('q');
    if (!q) return restError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    try {
      const parsed = parseSoql(q);
      const object = SOQL_OBJECTS[Object.keys(SOQL_OBJECTS).find((k) => k.toLowerCase() === parsed.object.toLowerCase()) ?? ''];
      if (!object || version < object.minVersion) return invalidType(parsed.object);
      parsed.object = object.name;
      call.target = object.name;
      const rows = org.rows(object.name, session);
      if (rows === 'invisible') return invalidType(parsed.object);
      const result = runSoql(org.catalog(), parsed, rows, attributesFor(version));
      let { totalSize, records } = result;
      if (object.name === 'OauthToken' && totalSize > OAUTH_TOKEN_ROW_CAP) {
        totalSize = OAUTH_TOKEN_ROW_CAP;
        records = records.slice(0, OAUTH_TOKEN_ROW_CAP);
      }
      if (records.length <= QUERY_BATCH) return { status: 200, body: { totalSize, done: true, records } };
      const locator = `01g${String(++cursorSeq).padStart(12, '0')}AAA`;
      cursors.set(locator, records.slice(QUERY_BATCH));
      return {
        status: 200,
        body: { totalSize, done: false, nextRecordsUrl: `/services/data/v${version}.0/query/${locator}-${QUERY_BATCH}`, records: records.slice(0, QUERY_BATCH) },
      };
    } catch (err) {
      if (err instanceof SoqlError) return restError(400, err.errorCode, err.message);
      throw err;
    }
  });

  const queryMore = rest((req, _call, _session, version) => {
    const [locator, offsetText] = (req.params.locator ?? '').split('-');
    const pending = locator ? cursors.get(locator) : undefined;
    const offset = Number(offsetText);
    if (!pending || !Number.isInteger(offset)) return restError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const total = offset + pending.length;
    const batch = pending.slice(0, QUERY_BATCH);
    const remaining = pending.slice(QUERY_BATCH);
    cursors.delete(locator!);
    if (!remaining.length) return { status: 200, body: { totalSize: total, done: true, records: batch } };
    cursors.set(locator!, remaining);
    const next = offset + QUERY_BATCH;
    return { status: 200, body: { totalSize: total, done: false, nextRecordsUrl: `/services/data/v${version}.0/query/${locator}-${next}`, records: batch } };
  });

  const retrieve = rest((req, call, session, version) => {
    const type = Object.keys(SOQL_OBJECTS).find((k) => k.toLowerCase() === (req.params.type ?? '').toLowerCase());
    if (!type || version < SOQL_OBJECTS[type]!.minVersion || type === 'OauthToken') return invalidType(req.params.type ?? '');
    const rows = org.rows(type, session);
    if (rows === 'invisible') return invalidType(type);
    const row = rows.find((r) => r.Id === req.params.id);
    if (!row) return NOT_FOUND();
    call.target = req.params.id;
    return { status: 200, body: { attributes: attributesFor(version)(type, row), ...row } };
  });

  const deleteAuthSession = rest((req, call, session) => {
    const target = org.sessions.get(req.params.id ?? '');
    call.target = req.params.id;
    // A deleted (or never existing) session answers 404 NOT_FOUND (Salesforce REST API docs; exact code [unverified]).
    if (!target) return NOT_FOUND();
    const caller = org.users.get(session.userId)!;
    if (!caller.admin && target.userId !== session.userId) return INSUFFICIENT_ACCESS();
    org.endSession(target);
    return { status: 204 };
  });

  // DELETE /composite/sobjects?ids=a,b[&allOrNone=true]: sObject Collections delete (API 42.0+), up to 200 ids,
  // 200 with one DeleteResult per id in request order; per-record errors are `{statusCode, message, fields}`
  // (REST API guide, "Delete Records Using sObject Collections"). Only AuthSession rows can be deleted here, as on
  // the single-record route. allOrNone=true deletes nothing when any record fails.
  const deleteCollection = rest((req, call, session, version) => {
    if (version < 42) return NOT_FOUND();
    const ids = (req.query.get('ids') ?? '').split(',').map((id) => id.trim()).filter(Boolean);
    if (!ids.length) return restError(400, 'MALFORMED_QUERY', 'The ids parameter is required'); // text [unverified]
    // Code and text [unverified]; the 200-record limit is documented.
    if (ids.length > 200) return restError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    call.target = ids.join(',');
    const caller = org.users.get(session.userId)!;
    const error = (statusCode: string, message: string) => ({ statusCode, message, fields: [] as string[] });
    const seen = new Set<string>();
    const planned = ids.map((id) => {
      const duplicate = seen.has(id);
      seen.add(id);
      if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id)) return { id, error: error('MALFORMED_ID', `malformed id ${id}`) };
      if (duplicate) return { id, error: error('INVALID_ID_FIELD', `duplicate id in list: ${id}`) }; // [unverified]
      const target = org.sessions.get(id);
      if (target) {
        if (!caller.admin && target.userId !== session.userId) return { id, error: error('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id') };
        return { id, target };
      }
      if (org.endedSessions.has(id)) return { id, error: error('ENTITY_IS_DELETED', 'entity is deleted') };
      if (org.users.has(id)) return { id, error: error('INVALID_TYPE_FOR_OPERATION', 'entity type User does not support delete') }; // [unverified]
      return { id, error: error('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id') };
    });
    const rollBack = req.query.get('allOrNone') === 'true' && planned.some((p) => p.error);
    const results = planned.map((p) => {
      if (p.error) return { id: p.id, success: false, errors: [p.error] };
      if (rollBack) {
        return {
          id: p.id,
          success: false,
          errors: [error('ALL_OR_NONE_OPERATION_ROLLED_BACK', 'Record rolled back because not all records were valid and the request was using AllOrNone header')],
        };
      }
      org.endSession(p.target!);
      return { id: p.id, success: true, errors: [] };
    });
    return { status: 200, body: results };
  });

  const parseBody = (req: EmuRequest): Record<string, unknown> | EmuResponse => {
    if (!req.json || typeof req.json !== 'object' || Array.isArray(req.json)) {
      return restError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
    }
    return req.json as Record<string, unknown>;
  };
  const isResponse = (x: unknown): x is EmuResponse => typeof x === 'object' && x !== null && 'status' in x && typeof (x as EmuResponse).status === 'number';
  const invalidField = (field: string, type: string) => restError(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${type}`);
  const notBoolean = (field: string) => restError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of boolean from value for field ${field}`);

  // PATCH /sobjects/UserLogin/{Id} {"IsFrozen": true}: idempotent 204 (Salesforce object reference: UserLogin).
  const updateUserLogin = rest((req, call, session) => {
    const body = parseBody(req);
    if (isResponse(body)) return body;
    const user = [...org.users.values()].find((u) => org.userLoginId(u.id) === req.params.id);
    if (!user) return NOT_FOUND();
    call.target = user.id;
    if (!org.users.get(session.userId)!.admin) return INSUFFICIENT_ACCESS();
    for (const [field, value] of Object.entries(body)) {
      if (field === 'Id') continue;
      if (field !== 'IsFrozen' && field !== 'IsPasswordLocked') return invalidField(field, 'UserLogin');
      if (typeof value !== 'boolean') return notBoolean(field);
      if (field === 'IsPasswordLocked' && value) {
        return restError(400, 'FIELD_INTEGRITY_EXCEPTION', 'IsPasswordLocked can only be set to false'); // Salesforce object reference
      }
      if (field === 'IsFrozen' && value && user.id === session.userId) {
        return restError(400, 'FIELD_INTEGRITY_EXCEPTION', 'You cannot freeze your own user'); // [unverified]
      }
    }
    if (typeof body.IsFrozen === 'boolean') user.frozen = body.IsFrozen;
    if (body.IsPasswordLocked === false) user.passwordLocked = false;
    user.loginModified = sfDateTime(new Date());
    return { status: 204 };
  });

  // PATCH /sobjects/User/{Id} {"IsActive": false}: deactivation, 204 (Salesforce object reference: User).
  const updateUser = rest((req, call, session) => {
    const body = parseBody(req);
    if (isResponse(body)) return body;
    const user = org.users.get(req.params.id ?? '');
    if (!user) return NOT_FOUND();
    call.target = user.id;
    if (!org.users.get(session.userId)!.admin) return INSUFFICIENT_ACCESS();
    for (const [field, value] of Object.entries(body)) {
      if (field === 'Id') continue;
      if (!['IsActive', 'Name', 'Email'].includes(field)) return invalidField(field, 'User');
      if (field === 'IsActive' && typeof value !== 'boolean') return notBoolean(field);
      if (field === 'IsActive' && value === false && user.id === session.userId) {
        return restError(400, 'FIELD_INTEGRITY_EXCEPTION', 'You cannot deactivate yourself'); // [unverified]
      }
    }
    if (typeof body.IsActive === 'boolean') user.isActive = body.IsActive;
    if (typeof body.Name === 'string') user.name = body.Name;
    if (typeof body.Email === 'string') user.email = body.Email;
    return { status: 204 };
  });

  const deleteUnsupported = rest((req, call) => {
    call.target = req.params.id;
    return restError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type ${req.params.type} does not support delete`); // [unverified]
  });

  const limits = rest(() => ({
    status: 200,
    body: {
      DailyApiRequests: { Max: org.apiLimit, Remaining: Math.max(0, org.apiLimit - org.apiUsed) },
      ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
      DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
      DataStorageMB: { Max: 1024, Remaining: 1000 },
    },
  }));

  // GET /services/data/vXX.X: the resources of a version; `identity` is where jsforce's conn.identity() goes.
  const resources = rest((_req, _call, session, version) => {
    const base = `/services/data/v${version}.0`;
    return {
      status: 200,
      body: {
        identity: `${baseUrl}/id/${org.id}/${session.userId}`,
        limits: `${base}/limits`,
        query: `${base}/query`,
        sobjects: `${base}/sobjects`,
      },
    };
  });

  const versions = (): EmuResponse => ({
    status: 200,
    body: Array.from({ length: MAX_VERSION - MIN_VERSION + 1 }, (_, i) => {
      const v = MIN_VERSION + i;
      return { label: versionLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` };
    }),
  });

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
        id: `${baseUrl}/id/${org.id}/${user.id}`,
        user_id: user.id,
        organization_id: org.id,
        username: user.username,
        display_name: user.name,
        email: user.email,
        active: user.isActive,
        user_type: 'STANDARD',
        urls: { rest: `${baseUrl}/services/data/v{version}/`, query: `${baseUrl}/services/data/v{version}/query/` },
      },
    };
  };

  const router = new Router()
    .add('POST', '/services/oauth2/token', 'oauth2.requestToken', (req, call) => {
      const grantType = req.form.get('grant_type');
      if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return jwtBearer(req, call);
      if (grantType === 'refresh_token') return refreshGrant(req, call);
      return oauthError('unsupported_grant_type', 'grant type not supported');
    })
    .add('POST', '/services/oauth2/revoke', 'oauth2.revokeToken', revoke)
    .add('GET', '/services/oauth2/revoke', 'oauth2.revokeToken', revoke)
    .add('GET', '/id/:orgId/:userId', 'identity', identity)
    .add('GET', '/services/data', 'versions', versions)
    .add('GET', '/services/data/', 'versions', versions)
    .add('GET', '/services/data/:version', 'resources', resources)
    .add('GET', '/services/data/:version/limits', 'limits', limits)
    .add('GET', '/services/data/:version/query', 'query', query)
    .add('GET', '/services/data/:version/query/:locator', 'queryMore', queryMore)
    .add('DELETE', '/services/data/:version/sobjects/AuthSession/:id', 'sobjects.AuthSession.delete', deleteAuthSession)
    .add('DELETE', '/services/data/:version/composite/sobjects', 'composite.sobjects.delete', deleteCollection)
    .add('PATCH', '/services/data/:version/sobjects/UserLogin/:id', 'sobjects.UserLogin.update', updateUserLogin)
    .add('PATCH', '/services/data/:version/sobjects/User/:id', 'sobjects.User.update', updateUser)
    .add('GET', '/services/data/:version/sobjects/:type/:id', 'sobjects.retrieve', retrieve)
    .add(
      'POST',
      '/services/Soap/m/:version',
      'metadata',
      metadataSoapHandler({
        org,
        versionOk: (v) => v >= MIN_VERSION && v <= MAX_VERSION,
        countApiCall: () => {
          org.apiUsed += 1;
          return org.apiUsed > org.apiLimit ? salesforceErrors.rateLimited(0) : undefined;
        },
      }),
    )
    .add('DELETE', '/services/data/:version/sobjects/:type/:id', 'sobjects.delete', deleteUnsupported);

  return {
    provider: 'salesforce',
    router,
    errors: salesforceErrors,
    // Every REST answer carries the org's API usage; jsforce parses it into conn.limitInfo (jsforce docs; Salesforce REST API docs: limits and errors).
    decorate: (operation): Record<string, string> =>
      operation.startsWith('oauth2.') || operation === 'identity' ? {} : { 'Sforce-Limit-Info': `api-usage=${org.apiUsed}/${org.apiLimit}` },
    setBaseUrl(url) {
      baseUrl = url.replace(/\/$/, '');
    },
    load(section) {
      org.clear();
      cursors.clear();
      clientAddresses.clear();
      globalClientAddress = undefined;
      loaded = section;
      if (section) org.load(section, keys().publicKeyPem);
    },
    counts: () => org.counts(),
    connectorEnv(): Record<string, string> {
      if (!loaded || !org.cordon) return {};
      const user = org.users.get(org.cordon.userId)!;
      const app = org.apps.get(org.cordon.appId)!;
      // Salesforce has no record of who consumes a grant: the inventory comes from the scenario, as a real
      // deployment's would come from its own CMDB (connectors/salesforce/config.ts).
      // One entry per (app, user); per grant, pinned by CreatedDate, only where that user's grants of the
      // app have different consumers (keeps the variable small for the load scenario).
      const byPair = new Map<string, OrgGrant[]>();
      for (const g of org.grants.values()) {
        if (!g.consumers.length) continue;
        const key = `${g.appId}|${g.userId}`;
        byPair.set(key, [...(byPair.get(key) ?? []), g]);
      }
      const inventory: Array<{ app: string; user: string; createdDate?: string; consumers: unknown[] }> = [];
      for (const grants of byPair.values()) {
        const first = grants[0]!;
        const entry = { app: org.apps.get(first.appId)!.name, user: org.users.get(first.userId)!.username };
        const same = grants.every((g) => JSON.stringify(g.consumers) === JSON.stringify(first.consumers));
        if (same) inventory.push({ ...entry, consumers: first.consumers });
        else for (const g of grants) inventory.push({ ...entry, createdDate: g.createdDate, consumers: g.consumers });
      }
      return {
        CORDON_SALESFORCE_LOGIN_URL: baseUrl,
        CORDON_SALESFORCE_CLIENT_ID: app.consumerKey,
        CORDON_SALESFORCE_USERNAME: user.username,
        CORDON_SALESFORCE_PRIVATE_KEY: keys().privateKeyPem,
        CORDON_SALESFORCE_API_VERSION: '62.0',
        CORDON_SALESFORCE_CONSUMERS: JSON.stringify(inventory),
      };
    },
    fixtureValue(id) {
      return org.grants.get(id)?.refreshToken ?? org.sessions.get(id)?.accessToken;
    },
    deleteTokenOf(grantKey) {
      return org.grants.get(grantKey)?.deleteToken;
    },
    profileLoginIpRanges(userId) {
      const user = org.users.get(userId);
      return user ? (org.profiles.get(user.profile)?.loginIpRanges ?? []).map((r) => ({ ...r })) : undefined;
    },
    setClientAddress(address, userId) {
      if (userId) {
        if (address) clientAddresses.set(userId, address);
        else clientAddresses.delete(userId);
      } else globalClientAddress = address;
    },
  };
}

// The REST API under /services/data/vXX.X (Salesforce REST API docs: SOQL query and queryMore, sObject
// retrieve, update and delete, sObject Collections delete, limits, versions): every call needs a live
// session and spends one point of the org's daily API budget.
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import { SOQL_OBJECTS, sfDateTime, type OrgSession } from './org.ts';
import { parseSoql, runSoql, SoqlError, type AttributesOf } from './soql.ts';
import type { SalesforceState } from './state.ts';
import { INSUFFICIENT_ACCESS, INVALID_SESSION, MAX_VERSION, MIN_VERSION, NOT_FOUND, parseVersion, restError, salesforceErrors, versionLabel } from './wire.ts';

const QUERY_BATCH = 2000;
/** A query on OauthToken returns at most 2,500 rows, whatever the filter allows (schemas/credential.ts ScopeReport). */
export const OAUTH_TOKEN_ROW_CAP = 2500;

export function addRestRoutes(router: Router, state: SalesforceState): void {
  const { org } = state;
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
      const locator = `01g${String(++state.cursorSeq).padStart(12, '0')}AAA`;
      state.cursors.set(locator, records.slice(QUERY_BATCH));
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
    const pending = locator ? state.cursors.get(locator) : undefined;
    const offset = Number(offsetText);
    if (!pending || !Number.isInteger(offset)) return restError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const total = offset + pending.length;
    const batch = pending.slice(0, QUERY_BATCH);
    const remaining = pending.slice(QUERY_BATCH);
    state.cursors.delete(locator!);
    if (!remaining.length) return { status: 200, body: { totalSize: total, done: true, records: batch } };
    state.cursors.set(locator!, remaining);
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
        identity: `${state.baseUrl}/id/${org.id}/${session.userId}`,
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

  router
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
    .add('DELETE', '/services/data/:version/sobjects/:type/:id', 'sobjects.delete', deleteUnsupported);
}

// Admin SDK Directory (users, tokens, asps, verificationCodes) and Reports (activities of any application),
// /admin/directory/v1/… and /admin/reports/v1/… (Admin SDK Directory and Reports API docs). Void methods answer 204
// with an empty body; empty lists omit `items`; int64 fields are JSON strings.
import { randomInt } from 'node:crypto';
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import { isResponse, requireAdmin, SCOPE } from './oauth.ts';
import { etagOf, type GoogleState, type UserState } from './state.ts';
import { adminError, int64 } from './wire.ts';
import { compareEntries, decodePosition, encodePosition, pageOf } from '../core/audit-log.ts';

const D = '/admin/directory/v1';
const NO_CONTENT: EmuResponse = { status: 204 };
const READ_USERS = [SCOPE.user, SCOPE.userReadonly];
const SECURITY = [SCOPE.userSecurity];

type Guarded = (req: EmuRequest, call: CallContext) => EmuResponse;

export function addDirectoryRoutes(router: Router, state: GoogleState): void {
  const guard =
    (scopes: readonly string[], handler: Guarded): Guarded =>
    (req, call) => {
      const token = requireAdmin(state, req, call, scopes);
      return isResponse(token) ? token : handler(req, call);
    };
  /** Resolves :userKey or answers the real 404 (Admin SDK Directory API docs: users.get). */
  const withUser =
    (scopes: readonly string[], handler: (user: UserState, req: EmuRequest, call: CallContext) => EmuResponse): Guarded =>
      guard(scopes, (req, call) => {
        const user = state.user(req.params.userKey ?? '');
        call.target = req.params.userKey;
        if (!user) return adminError(404, 'notFound', 'Resource Not Found: userKey');
        call.target = user.primaryEmail;
        return handler(user, req, call);
      });

  router
    .add('GET', `${D}/users`, 'users.list', guard(READ_USERS, (req) => listUsers(state, req)))
    .add('GET', `${D}/users/:userKey`, 'users.get', withUser(READ_USERS, (user) => ok(renderUser(state, user))))
    .add('PUT', `${D}/users/:userKey`, 'users.update', withUser([SCOPE.user], (user, req) => updateUser(state, user, req)))
    .add('PATCH', `${D}/users/:userKey`, 'users.patch', withUser([SCOPE.user], (user, req) => updateUser(state, user, req)))
    .add(
      'POST',
      `${D}/users/:userKey/signOut`,
      'users.signOut',
      withUser([SCOPE.userSecurity], (user) => {
        // Ends web and device sessions only; OAuth grants survive (Admin SDK Directory API docs: users.signOut).
        state.sessions = state.sessions.filter((s) => s.userKey !== user.primaryEmail);
        return NO_CONTENT;
      }),
    )
    .add(
      'GET',
      `${D}/users/:userKey/tokens`,
      'tokens.list',
      withUser(SECURITY, (user) => {
        const items = state.grants.filter((g) => g.userKey === user.primaryEmail).map((g) => renderToken(state, g));
        return ok(list('admin#directory#tokenList', items));
      }),
    )
    .add(
      'GET',
      `${D}/users/:userKey/tokens/:clientId`,
      'tokens.get',
      withUser(SECURITY, (user, req, call) => {
        const grant = state.grants.find((g) => g.userKey === user.primaryEmail && g.clientId === req.params.clientId);
        if (!grant) return adminError(404, 'notFound', 'Resource Not Found: clientId');
        call.target = grant.id;
        return ok(renderToken(state, grant));
      }),
    )
    .add(
      'DELETE',
      `${D}/users/:userKey/tokens/:clientId`,
      'tokens.delete',
      withUser(SECURITY, (user, req, call) => {
        // One delete kills every token the user issued to that client; a repeat is 404 (Admin SDK Directory API docs: tokens.delete).
        const grant = state.grants.find((g) => g.userKey === user.primaryEmail && g.clientId === req.params.clientId);
        if (!grant) return adminError(404, 'notFound', 'Resource Not Found: clientId');
        call.target = grant.id;
        state.grants = state.grants.filter((g) => g !== grant);
        state.addEvent({
          at: new Date().toISOString(),
          userKey: user.primaryEmail,
          clientId: grant.clientId,
          eventName: 'revoke',
          appName: state.clients.get(grant.clientId)?.name ?? '',
          scopes: grant.scopes,
        });
        return NO_CONTENT;
      }),
    )
    .add(
      'GET',
      `${D}/users/:userKey/asps`,
      'asps.list',
      withUser(SECURITY, (user) => ok(list('admin#directory#aspList', state.asps.filter((a) => a.userKey === user.primaryEmail).map(renderAsp)))),
    )
    .add(
      'GET',
      `${D}/users/:userKey/asps/:codeId`,
      'asps.get',
      withUser(SECURITY, (user, req, call) => {
        const asp = state.asps.find((a) => a.userKey === user.primaryEmail && String(a.codeId) === req.params.codeId);
        if (!asp) return adminError(404, 'notFound', 'Resource Not Found: codeId');
        call.target = `asp:${asp.codeId}`;
        return ok(renderAsp(asp));
      }),
    )
    .add(
      'DELETE',
      `${D}/users/:userKey/asps/:codeId`,
      'asps.delete',
      withUser(SECURITY, (user, req, call) => {
        const asp = state.asps.find((a) => a.userKey === user.primaryEmail && String(a.codeId) === req.params.codeId);
        // Exact repeat answer unverified (Admin SDK Directory API docs: asps): 404 notFound like the other Directory
        // children by default; state.aspGoneAnswer picks another plausible shape (emulators/README.md, "Unverified answers").
        if (!asp) return aspGone(state.aspGoneAnswer);
        call.target = `asp:${asp.codeId}`;
        state.asps = state.asps.filter((a) => a !== asp);
        return NO_CONTENT;
      }),
    )
    .add(
      'GET',
      `${D}/users/:userKey/verificationCodes`,
      'verificationCodes.list',
      withUser(SECURITY, (user) => {
        const items = state.codes
          .filter((c) => c.userKey === user.primaryEmail)
          .map((c) => ({ kind: 'admin#directory#verificationCode', etag: etagOf(c), userId: user.id, verificationCode: c.verificationCode }));
        return ok(list('admin#directory#verificationCodesList', items));
      }),
    )
    .add(
      'POST',
      `${D}/users/:userKey/verificationCodes/generate`,
      'verificationCodes.generate',
      withUser(SECURITY, (user) => {
        if (state.isSuspended(user)) return adminError(400, 'invalidInput', 'Invalid Input: user is suspended');
        state.codes = state.codes.filter((c) => c.userKey !== user.primaryEmail);
        for (let i = 0; i < 10; i++) state.codes.push({ userKey: user.primaryEmail, verificationCode: String(randomInt(10_000_000, 100_000_000)) });
        return NO_CONTENT;
      }),
    )
    .add(
      'POST',
      `${D}/users/:userKey/verificationCodes/invalidate`,
      'verificationCodes.invalidate',
      withUser(SECURITY, (user) => {
        // GAM skips suspended users because this call fails for them (Admin SDK Directory API docs: verificationCodes.invalidate).
        if (state.isSuspended(user)) return adminError(400, 'invalidInput', 'Invalid Input: user is suspended');
        state.codes = state.codes.filter((c) => c.userKey !== user.primaryEmail);
        return NO_CONTENT;
      }),
    )
    .add(
      'GET',
      '/admin/reports/v1/activity/users/:userKey/applications/:applicationName',
      'activities.list',
      guard([SCOPE.reports], (req, call) => listActivities(state, req, call)),
    );
}

/** The answers asps.delete may plausibly give for a code that is gone; none is documented. */
function aspGone(answer: GoogleState['aspGoneAnswer']): EmuResponse {
  switch (answer) {
    case 'gone410':
      return adminError(410, 'deleted', 'Resource has been deleted: codeId');
    case 'notFound400':
      return adminError(400, 'notFound', 'Resource Not Found: codeId');
    case 'invalid400':
      return adminError(400, 'invalid', 'Invalid Input: codeId');
    default:
      return adminError(404, 'notFound', 'Resource Not Found: codeId');
  }
}

function ok(body: unknown): EmuResponse {
  return { status: 200, body };
}

function list(kind: string, items: unknown[]): Record<string, unknown> {
  const body: Record<string, unknown> = { kind, etag: etagOf(items) };
  if (items.length > 0) body.items = items;
  return body;
}

function renderUser(state: GoogleState, u: UserState): Record<string, unknown> {
  const [givenName, ...rest] = u.name.split(' ');
  const body: Record<string, unknown> = {
    kind: 'admin#directory#user',
    id: u.id,
    primaryEmail: u.primaryEmail,
    name: { givenName: givenName ?? u.name, familyName: rest.join(' '), fullName: u.name },
    isAdmin: u.isAdmin,
    isDelegatedAdmin: false,
    suspended: u.status !== 'active',
    archived: u.status === 'offboarded',
    creationTime: u.creationTime,
    lastLoginTime: u.lastLoginTime ?? '1970-01-01T00:00:00.000Z',
    changePasswordAtNextLogin: state.passwordChangeRequired.has(u.primaryEmail),
    isEnrolledIn2Sv: state.codes.some((c) => c.userKey === u.primaryEmail),
    isEnforcedIn2Sv: false,
    customerId: state.customer.id,
    orgUnitPath: u.integration ? '/Integrations' : '/',
  };
  if (u.status === 'suspended') body.suspensionReason = 'ADMIN';
  body.etag = etagOf(body);
  return body;
}

function listUsers(state: GoogleState, req: EmuRequest): EmuResponse {
  const customer = req.query.get('customer');
  const domain = req.query.get('domain');
  if (!customer && !domain) return adminError(400, 'badRequest', 'Bad Request');
  if (customer && customer !== 'my_customer' && customer !== state.customer.id) return adminError(400, 'badRequest', 'Bad Request');
  if (domain && domain !== state.customer.domain) return adminError(403, 'forbidden', 'Not Authorized to access this resource/api');
  const max = Math.min(Number(req.query.get('maxResults') ?? 100) || 100, 500);
  const start = Number(req.query.get('pageToken') ?? 0) || 0;
  const all = [...state.users.values()];
  const page = all.slice(start, start + max).map((u) => renderUser(state, u));
  const body: Record<string, unknown> = { kind: 'admin#directory#users', etag: etagOf(page) };
  if (page.length > 0) body.users = page;
  if (start + max < all.length) body.nextPageToken = String(start + max);
  return ok(body);
}

function updateUser(state: GoogleState, user: UserState, req: EmuRequest): EmuResponse {
  const patch = (req.json ?? {}) as { suspended?: unknown; changePasswordAtNextLogin?: unknown };
  if (typeof req.json !== 'object' || req.json === null) return adminError(400, 'invalid', 'Invalid Input');
  if (patch.changePasswordAtNextLogin !== undefined && typeof patch.changePasswordAtNextLogin !== 'boolean')
    return adminError(400, 'invalid', 'Invalid Input: changePasswordAtNextLogin');
  // Suspension is idempotent (Admin SDK Directory API docs: users.update); archived (offboarded) users stay archived.
  if (patch.suspended === true && user.status === 'active') user.status = 'suspended';
  if (patch.suspended === false && user.status === 'suspended') user.status = 'active';
  // The flag only asks for a new password at the next sign-in; live sessions are users.signOut's business.
  if (patch.changePasswordAtNextLogin === true) state.passwordChangeRequired.add(user.primaryEmail);
  if (patch.changePasswordAtNextLogin === false) state.passwordChangeRequired.delete(user.primaryEmail);
  return ok(renderUser(state, user));
}

function renderToken(state: GoogleState, g: GoogleState['grants'][number]): Record<string, unknown> {
  const client = state.clients.get(g.clientId);
  const body = {
    kind: 'admin#directory#token',
    clientId: g.clientId,
    displayText: client?.name ?? g.clientId,
    anonymous: client?.anonymous ?? false,
    nativeApp: client?.nativeApp ?? false,
    scopes: g.scopes,
    userKey: state.user(g.userKey)?.id ?? g.userKey,
  };
  return { ...body, etag: etagOf(body) };
}

function renderAsp(a: GoogleState['asps'][number]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    kind: 'admin#directory#asp',
    codeId: a.codeId,
    name: a.name,
    creationTime: int64(Date.parse(a.creationTime)),
    lastTimeUsed: int64(a.lastTimeUsed ? Date.parse(a.lastTimeUsed) : 0),
    userKey: a.userKey,
  };
  return { ...body, etag: etagOf(body) };
}

/** Reports `filters`: comma-separated `name==value` / `name<>value` on event parameters. */
function parameterFilters(raw: string | null): { name: string; equal: boolean; value: string }[] {
  if (!raw) return [];
  return raw.split(',').flatMap((part) => {
    const m = /^\s*([a-z_]+)\s*(==|<>)\s*(.*?)\s*$/.exec(part);
    return m ? [{ name: m[1]!, equal: m[2] === '==', value: m[3]! }] : [];
  });
}

/** A Reports parameter's value as a filter compares it: `value`, `intValue`, `boolValue`, or a `multiValue` list. */
function parameterValues(p: Record<string, unknown>): string[] {
  if (Array.isArray(p.multiValue)) return p.multiValue.map(String);
  for (const key of ['value', 'intValue', 'boolValue']) if (p[key] !== undefined) return [String(p[key])];
  return [];
}

interface ActivityRow {
  at: number;
  seq: number;
  activity: Record<string, unknown>;
}

// Activities the tenant's own calls recorded sort after seeded ones of the same millisecond.
const INTERNAL_SEQ = 1e12;

function renderTokenEvent(state: GoogleState, e: GoogleState['events'][number]): Record<string, unknown> {
  const user = state.user(e.userKey);
  const parameters: Record<string, unknown>[] = [
    { name: 'client_id', value: e.clientId },
    { name: 'app_name', value: e.appName },
    { name: 'client_type', value: 'WEB' },
  ];
  if (e.scopes.length) parameters.push({ name: 'scope', multiValue: e.scopes });
  if (e.apiName) parameters.push({ name: 'api_name', value: e.apiName });
  if (e.methodName) parameters.push({ name: 'method_name', value: e.methodName });
  // Real answers carry admin#reports#activity / admin#reports#activities; the discovery document googleapis is
  // generated from says audit#activity / reports#activities (emulators/README.md, "Unverified answers").
  const activity: Record<string, unknown> = {
    kind: 'admin#reports#activity',
    id: { time: e.at, uniqueQualifier: String(1000000000000000000n + BigInt(e.id)), applicationName: 'token', customerId: state.customer.id },
    actor: { email: e.userKey, profileId: user?.id ?? '', callerType: 'USER' },
    events: [{ type: 'auth', name: e.eventName, parameters }],
  };
  if (e.ip) activity.ipAddress = e.ip;
  activity.etag = etagOf(activity);
  return activity;
}

/**
 * Reports activities.list: the tenant's own token events and the seeded activities of any application, newest
 * first as the Reports API returns them, filtered by user, eventName, startTime/endTime, actorIpAddress and
 * `filters`. A seeded activity shows once the audit clock passes its `availableAt` (the Reports API lags).
 */
function listActivities(state: GoogleState, req: EmuRequest, call: CallContext): EmuResponse {
  const application = req.params.applicationName ?? '';
  const userKey = req.params.userKey ?? '';
  call.target = `${userKey}/${application}`;
  let email: string | undefined;
  if (userKey !== 'all') {
    const user = state.user(userKey);
    if (!user) return adminError(404, 'notFound', 'Resource Not Found: userKey');
    email = user.primaryEmail;
  }
  const startTime = req.query.get('startTime');
  const endTime = req.query.get('endTime');
  for (const t of [startTime, endTime]) if (t && Number.isNaN(Date.parse(t))) return adminError(400, 'invalid', `Invalid value '${t}'. Values must match the following regular expression: '(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)T(\\d\\d):(\\d\\d):(\\d\\d)(?:\\.(\\d+))?(?:(Z)|([-+])(\\d\\d):(\\d\\d))'`);
  const maxRaw = req.query.get('maxResults');
  const max = maxRaw === null ? 1000 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 1000) return adminError(400, 'invalid', `Invalid value '${maxRaw}'. Values must be within the range: [1, 1000]`);
  const eventName = req.query.get('eventName');
  const actorIp = req.query.get('actorIpAddress');
  const filters = parameterFilters(req.query.get('filters'));
  const from = startTime ? Date.parse(startTime) : Number.NEGATIVE_INFINITY;
  const to = endTime ? Date.parse(endTime) : Number.POSITIVE_INFINITY;

  const rows: ActivityRow[] = state.activities
    .visible(state.auditClock.now())
    .filter((e) => (e.record.id as { applicationName?: unknown } | undefined)?.applicationName === application)
    .map((e) => ({ at: e.at, seq: e.seq, activity: e.record }));
  if (application === 'token') rows.push(...state.events.map((e) => ({ at: Date.parse(e.at), seq: INTERNAL_SEQ + e.id, activity: renderTokenEvent(state, e) })));
  const matching = rows
    .filter(({ at, activity }) => {
      if (at < from || at > to) return false;
      if (email && (activity.actor as { email?: unknown } | undefined)?.email !== email) return false;
      if (actorIp && activity.ipAddress !== actorIp) return false;
      const events = Array.isArray(activity.events) ? (activity.events as Record<string, unknown>[]) : [];
      if (eventName && !events.some((ev) => ev.name === eventName)) return false;
      return filters.every((f) =>
        events.some((ev) => {
          const params = Array.isArray(ev.parameters) ? (ev.parameters as Record<string, unknown>[]) : [];
          const values = params.filter((p) => p.name === f.name).flatMap(parameterValues);
          return f.equal ? values.includes(f.value) : !values.includes(f.value);
        }),
      );
    })
    // Newest first, as the Reports API returns them.
    .sort((a, b) => compareEntries(b, a));
  const pageToken = req.query.get('pageToken');
  const after = pageToken ? decodePosition(pageToken) : undefined;
  if (pageToken && !after) return adminError(400, 'invalid', `Invalid value '${pageToken}' for pageToken`);
  const { page, more } = pageOf(matching, true, max, after);
  const items = page.map((r) => r.activity);
  const body: Record<string, unknown> = { kind: 'admin#reports#activities', etag: etagOf(items) };
  if (items.length > 0) body.items = items;
  if (more) body.nextPageToken = encodePosition(page.at(-1)!);
  return ok(body);
}

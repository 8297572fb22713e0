// Salesforce logins as token-use events (docs/drift-watch.md, "Audit readers"), read with jsforce `query`: the
// `LoginEvent` object where the org has Event Monitoring (SourceIp, CountryIso, Browser, Application, SessionKey),
// else `LoginHistory` (Salesforce object reference: LoginHistory; Platform Events developer guide: LoginEvent).
// Pages are keyset queries, `ORDER BY <time> ASC, Id ASC LIMIT n` continuing after the last (time, Id) read, so a
// page never shifts when rows arrive between two reads. Failed logins are not token use and are skipped.
import type { Connection } from 'jsforce';
import type { TokenUseAction, TokenUseEventInput } from '../../schemas/token-use.ts';
import type { AuditStream, MappedRecord } from '../audit-stream.ts';

/** Salesforce shows LoginHistory and LoginEvent rows within minutes; every read goes back 30 minutes. */
export const SALESFORCE_AUDIT_OVERLAP_MS = 30 * 60_000;
/** A query answers up to 2,000 rows in one batch: one page per query, no queryMore needed. */
export const SALESFORCE_AUDIT_PAGE_SIZE = 2000;

export type SalesforceLoginObject = 'LoginHistory' | 'LoginEvent';

/** Login types that are a refresh token (or a JWT assertion) exchanged for an access token: the OAuth flows. */
export const SALESFORCE_TOKEN_LOGIN_TYPES: readonly string[] = ['Remote Access 2.0', 'Remote Access Client'];

const FIELDS: Record<SalesforceLoginObject, { time: string; select: string[] }> = {
  LoginHistory: { time: 'LoginTime', select: ['Id', 'UserId', 'LoginTime', 'LoginType', 'SourceIp', 'Status', 'Application', 'Browser', 'ApiType'] },
  LoginEvent: {
    time: 'EventDate',
    select: ['Id', 'EventIdentifier', 'LoginHistoryId', 'UserId', 'EventDate', 'LoginType', 'SourceIp', 'Status', 'Application', 'Browser', 'ApiType', 'SessionKey'],
  },
};

export type SalesforceLoginRow = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Salesforce writes datetimes as `2025-08-08T12:00:00.000+0000`; Date.parse wants the offset with a colon. */
export const parseSalesforceTime = (text: string): number => Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));

/** What a successful login row says happened: an API call, a token refresh, or an interactive login. */
export function salesforceLoginAction(row: { LoginType?: unknown; ApiType?: unknown }): TokenUseAction {
  if (str(row.ApiType)) return 'use';
  return SALESFORCE_TOKEN_LOGIN_TYPES.includes(str(row.LoginType) ?? '') ? 'refresh' : 'login';
}

/** One LoginHistory or LoginEvent row as a token-use event. */
export function salesforceLoginToEvents(object: SalesforceLoginObject, row: SalesforceLoginRow): MappedRecord {
  const time = str(row[FIELDS[object].time]);
  const at = time === undefined ? Number.NaN : parseSalesforceTime(time);
  // A LoginEvent names the LoginHistory row of the same login: both readings give one id.
  const native = object === 'LoginEvent' ? (str(row.LoginHistoryId) ?? str(row.EventIdentifier) ?? str(row.Id)) : str(row.Id);
  const userId = str(row.UserId);
  if (Number.isNaN(at)) return { malformed: `no ${FIELDS[object].time}` };
  if (!native || !userId) return { malformed: 'no Id or UserId' };
  if (str(row.Status) !== 'Success') return { skip: 'a failed login is not a token use' };
  const action = salesforceLoginAction(row);
  const app = str(row.Application);
  const ip = str(row.SourceIp);
  const browser = str(row.Browser);
  const session = str(row.SessionKey);
  const token = action !== 'login' && app ? { tokenKey: `${userId}:${app}`, credentialKind: 'oauth_grant' as const } : {};
  const event: TokenUseEventInput = {
    id: `salesforce:${native}`,
    provider: 'salesforce',
    at: new Date(at).toISOString(),
    action,
    principal: userId,
    ...token,
    ...(app && app !== 'Browser' ? { app } : {}),
    ...(str(row.ApiType) ?? str(row.LoginType) ? { operation: str(row.ApiType) ?? str(row.LoginType) } : {}),
    ...(ip ? { ip } : {}),
    ...(browser && browser !== 'Unknown' ? { userAgent: browser } : {}),
    ...(session ? { sessionId: session } : {}),
  };
  return { events: [event] };
}

/** A SOQL datetime literal in UTC: whole seconds, or with milliseconds when it has some [literal form unverified]. */
export function soqlDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso;
}

const soqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The login rows of one object as a stream, oldest first. `run` runs a query with Cordon's session and classifies errors. */
export function salesforceLoginStream(deps: {
  object: SalesforceLoginObject;
  run: <T>(what: string, fn: (conn: Connection) => Promise<T>) => Promise<T>;
  pageSize?: number;
}): AuditStream<SalesforceLoginRow> {
  const { time, select } = FIELDS[deps.object];
  return {
    name: deps.object,
    order: 'asc',
    async page(window, after) {
      const where = [`${time} >= ${soqlDateTime(window.from)}`];
      if (window.until !== undefined) where.push(`${time} <= ${soqlDateTime(window.until)}`);
      if (after) {
        const [t, id] = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as [number, string];
        where.push(`(${time} > ${soqlDateTime(t)} OR (${time} = ${soqlDateTime(t)} AND Id > ${soqlString(id)}))`);
      }
      const size = deps.pageSize ?? SALESFORCE_AUDIT_PAGE_SIZE;
      const soql = `SELECT ${select.join(', ')} FROM ${deps.object} WHERE ${where.join(' AND ')} ORDER BY ${time} ASC, Id ASC LIMIT ${size}`;
      const result = await deps.run(`reading ${deps.object}`, async (conn) => await conn.query<SalesforceLoginRow>(soql));
      const records = result.records;
      const last = records.at(-1);
      const lastTime = last ? str(last[time]) : undefined;
      const lastId = last ? str(last.Id) : undefined;
      const lastAt = lastTime ? parseSalesforceTime(lastTime) : Number.NaN;
      const next = records.length >= size && !Number.isNaN(lastAt) && lastId ? Buffer.from(JSON.stringify([lastAt, lastId])).toString('base64url') : undefined;
      return { records, next };
    },
    map: (row) => salesforceLoginToEvents(deps.object, row),
  };
}

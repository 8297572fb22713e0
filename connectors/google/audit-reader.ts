// The Google Workspace Reports API as token-use events (docs/drift-watch.md, "Audit readers"): activities.list
// (googleapis admin reports_v1) for userKey `all` and three applications: `token` (OAuth grants: authorize, revoke,
// and activity with api_name, method_name, client_id, num_response_bytes), `login` (a user's sign-ins) and
// `admin` (suspensions, deletions and role changes of users). Activities come newest first; the Reports API shows
// them minutes to hours late (Admin SDK Reports API docs, "Data retention and lag times"), hence a long overlap.
import type { admin_reports_v1 } from './apis.ts';
import type { TokenUseEventInput } from '../../schemas/token-use.ts';
import type { AuditStream, MappedRecord } from '../audit-stream.ts';

/** The Reports API lags up to hours for `token` activity: every read goes back six hours. */
export const GOOGLE_AUDIT_OVERLAP_MS = 6 * 60 * 60_000;
export const GOOGLE_AUDIT_PAGE_SIZE = 1000;
export const GOOGLE_AUDIT_APPLICATIONS = ['token', 'login', 'admin'] as const;
export type GoogleAuditApplication = (typeof GOOGLE_AUDIT_APPLICATIONS)[number];

/** Token application event names → actions (Reports API appendix: token activity events). */
export const GOOGLE_TOKEN_EVENTS = { authorize: 'authorize', revoke: 'revoke', activity: 'use' } as const;
/** Admin application user events → the owner's new status (Reports API appendix: admin activity events, user settings). */
export const GOOGLE_ADMIN_USER_EVENTS = {
  SUSPEND_USER: 'suspended',
  UNSUSPEND_USER: 'reactivated',
  DELETE_USER: 'offboarded',
  ASSIGN_ROLE: 'role_changed',
  UNASSIGN_ROLE: 'role_changed',
} as const;

type Activity = admin_reports_v1.Schema$Activity;
type Parameter = NonNullable<NonNullable<Activity['events']>[number]['parameters']>[number];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function parameters(list: readonly Parameter[] | undefined) {
  const byName = new Map((list ?? []).map((p) => [p.name ?? '', p]));
  return {
    text: (name: string) => str(byName.get(name)?.value),
    int: (name: string) => {
      const raw = byName.get(name)?.intValue;
      const n = raw === undefined || raw === null ? Number.NaN : Number(raw);
      return Number.isInteger(n) && n >= 0 ? n : undefined;
    },
    list: (name: string) => {
      const p = byName.get(name);
      const values = p?.multiValue ?? (p?.value ? [p.value] : undefined);
      return values?.filter((v): v is string => typeof v === 'string' && v.length > 0);
    },
  };
}

/** The id an activity's events get: application and uniqueQualifier (unique per activity), plus the event's index when there are several. */
export const googleEventId = (application: string, uniqueQualifier: string, index?: number) =>
  `google:${application}:${uniqueQualifier}${index === undefined ? '' : `:${index}`}`;

/** One Reports activity as token-use events. */
export function googleActivityToEvents(activity: Activity): MappedRecord {
  const time = str(activity.id?.time);
  const qualifier = str(activity.id?.uniqueQualifier);
  const application = str(activity.id?.applicationName);
  if (!time || Number.isNaN(Date.parse(time))) return { malformed: 'no id.time' };
  if (!qualifier || !application) return { malformed: 'no id.uniqueQualifier or id.applicationName' };
  const at = new Date(Date.parse(time)).toISOString();
  const actor = str(activity.actor?.email);
  if (application !== 'admin' && !actor) return { malformed: 'no actor.email' };
  const list = activity.events ?? [];
  const events: TokenUseEventInput[] = [];
  let unreadable: string | undefined;
  list.forEach((event, index) => {
    const id = googleEventId(application, qualifier, list.length > 1 ? index : undefined);
    const p = parameters(event.parameters);
    const ip = str(activity.ipAddress);
    const name = event.name ?? '';
    if (application === 'token' && name in GOOGLE_TOKEN_EVENTS && actor) {
      const clientId = p.text('client_id');
      if (!clientId) {
        unreadable = `a token ${name} event without client_id`;
        return;
      }
      const apiName = p.text('api_name');
      const method = p.text('method_name');
      const scopes = p.list('scope');
      const bytes = p.int('num_response_bytes');
      const app = p.text('app_name');
      events.push({
        id,
        provider: 'google',
        at,
        action: GOOGLE_TOKEN_EVENTS[name as keyof typeof GOOGLE_TOKEN_EVENTS],
        tokenKey: `${actor}:${clientId}`,
        credentialKind: 'oauth_grant',
        principal: actor,
        ...(app ? { app } : {}),
        // method_name already starts with the API ("gmail.users.messages.list") in the Reports answers seen; when it
        // does not, the API is put in front so operations stay comparable across APIs.
        ...(method ? { operation: apiName && !method.startsWith(`${apiName}.`) ? `${apiName}.${method}` : method } : {}),
        ...(apiName ? { target: apiName } : {}),
        ...(ip ? { ip } : {}),
        ...(scopes?.length ? { scopes } : {}),
        ...(bytes !== undefined ? { bytes } : {}),
      });
    } else if (application === 'login' && name === 'login_success' && actor) {
      events.push({ id, provider: 'google', at, action: 'login', principal: actor, operation: name, ...(ip ? { ip } : {}) });
    } else if (application === 'admin' && name in GOOGLE_ADMIN_USER_EVENTS) {
      const subject = p.text('USER_EMAIL');
      if (!subject) {
        unreadable = `an admin ${name} event without USER_EMAIL`;
        return;
      }
      events.push({
        id,
        provider: 'google',
        at,
        action: 'principal_status',
        principal: subject,
        principalStatus: GOOGLE_ADMIN_USER_EVENTS[name as keyof typeof GOOGLE_ADMIN_USER_EVENTS],
        operation: name,
      });
    }
  });
  if (!events.length) return unreadable ? { malformed: unreadable } : { skip: 'no token, login or user-status event' };
  return { events };
}

/** One Reports application as a stream, newest first. `call` classifies errors. */
export function googleAuditStream(deps: {
  reports: admin_reports_v1.Admin;
  application: GoogleAuditApplication;
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
  pageSize?: number;
}): AuditStream<Activity> {
  return {
    name: deps.application,
    order: 'desc',
    async page(window, pageToken) {
      const response = await deps.call(`activities.list ${deps.application}`, () =>
        deps.reports.activities.list({
          userKey: 'all',
          applicationName: deps.application,
          startTime: new Date(window.from).toISOString(),
          ...(window.until !== undefined ? { endTime: new Date(window.until).toISOString() } : {}),
          maxResults: deps.pageSize ?? GOOGLE_AUDIT_PAGE_SIZE,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      return { records: response.data.items ?? [], next: response.data.nextPageToken ?? undefined };
    },
    map: googleActivityToEvents,
  };
}

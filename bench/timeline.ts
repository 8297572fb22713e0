// One containment's history as a timeline, for finding where the time goes (`BENCH_FLOOR_TIMELINE=1`):
// each event's offset from the client's start call, and for activities their name, queue wait
// (scheduled → started) and run time (started → completed). Workflow tasks show how long the worker
// took to answer. Names and timings only: payloads stay encrypted and are never printed (I5).
import proto, { type temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;

const EVENT_TYPE_NAMES: Record<number, string> = {
  1: 'WorkflowExecutionStarted',
  2: 'WorkflowExecutionCompleted',
  5: 'WorkflowTaskScheduled',
  6: 'WorkflowTaskStarted',
  7: 'WorkflowTaskCompleted',
  10: 'ActivityTaskScheduled',
  11: 'ActivityTaskStarted',
  12: 'ActivityTaskCompleted',
  13: 'ActivityTaskFailed',
  17: 'TimerStarted',
  18: 'TimerFired',
  26: 'WorkflowExecutionSignaled',
  28: 'MarkerRecorded',
  40: 'UpsertWorkflowSearchAttributes',
};

/** The activity a local activity's marker records (core writes its data as plain JSON; the result stays encrypted). */
export function localActivityOf(e: Event): string | undefined {
  const m = e.markerRecordedEventAttributes;
  if (m?.markerName !== 'core_local_activity') return undefined;
  const data = m.details?.data?.payloads?.[0]?.data;
  if (!data) return '?';
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string; activityType?: string };
    return parsed.activity_type ?? parsed.activityType ?? '?';
  } catch {
    return '?';
  }
}

const ms = (e: Event) => {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : NaN;
};

/** One line per event: offset (ms from t0), type, activity name and timings where they apply. */
export function timelineLines(events: Event[], t0Ms: number): string[] {
  const activityName = new Map<string, string>();
  const scheduledAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const lines: string[] = [];
  for (const e of events) {
    const id = String(e.eventId);
    const type = EVENT_TYPE_NAMES[Number(e.eventType)] ?? `event ${e.eventType}`;
    let note = '';
    if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '?';
      activityName.set(id, name);
      scheduledAt.set(id, ms(e));
      note = name;
    } else if (e.activityTaskStartedEventAttributes) {
      const sid = String(e.activityTaskStartedEventAttributes.scheduledEventId);
      startedAt.set(sid, ms(e));
      note = `${activityName.get(sid)} (waited ${ms(e) - (scheduledAt.get(sid) ?? NaN)} ms in the queue)`;
    } else if (e.activityTaskCompletedEventAttributes || e.activityTaskFailedEventAttributes) {
      const sid = String((e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes)!.scheduledEventId);
      note = `${activityName.get(sid)} (ran ${ms(e) - (startedAt.get(sid) ?? NaN)} ms)`;
    } else if (e.markerRecordedEventAttributes) {
      const local = localActivityOf(e);
      note = local ? `local activity ${local}` : (e.markerRecordedEventAttributes.markerName ?? '');
    }
    lines.push(`${String(ms(e) - t0Ms).padStart(7)} ms  ${type}${note ? `  ${note}` : ''}`);
  }
  return lines;
}

/**
 * The first workflow task's time in the worker (started → completed): module evaluation and the run's setup,
 * and, on a single run, the local activities it ran before answering (identify, scope, revoke).
 */
export function firstTaskMs(events: Event[]): number {
  const started = events.find((e) => Number(e.eventType) === 6);
  const completed = events.find((e) => Number(e.eventType) === 7);
  return started && completed ? ms(completed) - ms(started) : NaN;
}

/**
 * Activities scheduled before the first one named `name` completed, with their summed run time (ms). Local
 * activities count too (their run time is inside a workflow task, not counted in `runMs`).
 */
export function activitiesBefore(events: Event[], name: string): { count: number; runMs: number } {
  const names = new Map<string, string>();
  const startedAt = new Map<string, number>();
  let count = 0;
  let runMs = 0;
  for (const e of events) {
    const id = String(e.eventId);
    const local = localActivityOf(e);
    if (local) {
      count++;
      if (local === name) return { count, runMs };
    } else if (e.activityTaskScheduledEventAttributes) {
      names.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
      count++;
    } else if (e.activityTaskStartedEventAttributes) startedAt.set(String(e.activityTaskStartedEventAttributes.scheduledEventId), ms(e));
    else if (e.activityTaskCompletedEventAttributes) {
      const sid = String(e.activityTaskCompletedEventAttributes.scheduledEventId);
      runMs += ms(e) - (startedAt.get(sid) ?? NaN);
      if (names.get(sid) === name) return { count, runMs };
    }
  }
  return { count, runMs };
}

/**
 * Events by type (`UpsertWorkflowSearchAttributes`, `ActivityTaskScheduled`…), added into `into`: each is a server
 * write. Also counted: `activity <name>` per activity (local ones too) and the SDK's TemporalChangeVersion upserts.
 */
export function countEventTypes(events: Event[], into: Record<string, number> = {}): Record<string, number> {
  for (const e of events) {
    const raw = proto.temporal.api.enums.v1.EventType[Number(e.eventType)] ?? `EVENT_TYPE_${e.eventType}`;
    const name = raw.replace(/^EVENT_TYPE_/, '').toLowerCase().replace(/(^|_)([a-z])/g, (_, _u: string, c: string) => c.toUpperCase());
    into[name] = (into[name] ?? 0) + 1;
    // Split out: the SDK's own upsert of TemporalChangeVersion (one per patch a run takes first), and each activity's type.
    const fields = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
    if (fields.length === 1 && fields[0] === 'TemporalChangeVersion') into['UpsertWorkflowSearchAttributes (TemporalChangeVersion)'] = (into['UpsertWorkflowSearchAttributes (TemporalChangeVersion)'] ?? 0) + 1;
    const activity = e.activityTaskScheduledEventAttributes?.activityType?.name ?? localActivityOf(e);
    if (activity) into[`activity ${activity}`] = (into[`activity ${activity}`] ?? 0) + 1;
  }
  return into;
}

// A drift verdict (schemas/verdict.ts) as an OCSF 1.8.0 Detection Finding (2004), for SIEMs: Create when the
// watch opens it, Update while it gathers reasons, Close once dismissed. Each reason is one evidence artifact
// (its signal, its words and the audit events behind it); the token, its owner and app are the resources.
// metadata.uid is derived from the verdict id and its last change, so a receiver can drop a copy it already has;
// finding_info.uid is the verdict id for every change, and metadata.sequence the change's revision (1, 2, 3…) when
// the watch's outbox numbers them (docs/drift-watch.md, "Findings to the evidence sinks").
import { createHash } from 'node:crypto';
import type { Verdict } from '../schemas/verdict.ts';
import { OCSF_VERSION, type OcsfEvent } from './ocsf.ts';

export const DETECTION_FINDING = 2004;
const SEVERITY = { low: 2, medium: 3, high: 4, critical: 5 } as const;
/** OCSF Detection Finding status: New 1, Suppressed 3 (dismissed by a person, with the reason). */
const STATUS = { open: 1, dismissed: 3 } as const;
const ms = (iso: string) => new Date(iso).getTime();

export function detectionFindingOf(v: Verdict, options: { version?: string; containment?: string; revision?: number } = {}): OcsfEvent {
  const activityId = v.status === 'dismissed' ? 3 : v.updatedAt === v.openedAt ? 1 : 2;
  const at = v.status === 'dismissed' && v.dismissal ? v.dismissal.at : v.updatedAt;
  return {
    class_uid: DETECTION_FINDING,
    category_uid: 2,
    activity_id: activityId,
    type_uid: DETECTION_FINDING * 100 + activityId,
    time: ms(at),
    severity_id: SEVERITY[v.severity],
    status_id: STATUS[v.status],
    risk_score: v.score,
    message: v.reasons.map((r) => r.text).join('; ').slice(0, 4000),
    metadata: {
      uid: createHash('sha256').update(`${v.id}|${at}|${DETECTION_FINDING}`).digest('hex').slice(0, 32),
      version: OCSF_VERSION,
      product: { name: 'Cordon', vendor_name: 'Cordon', feature: { name: 'drift watch' }, ...(options.version ? { version: options.version } : {}) },
      ...(options.containment ? { correlation_uid: options.containment } : {}),
      ...(options.revision ? { sequence: options.revision } : {}),
    },
    finding_info: {
      uid: v.id,
      title: `${v.provider} token ${v.tokenKey.slice(0, 64)} drifted from its baseline`,
      desc: v.reasons.map((r) => r.text).join('; ').slice(0, 4000),
      types: v.triggers,
      created_time: ms(v.openedAt),
      modified_time: ms(v.updatedAt),
      first_seen_time: Math.min(...v.reasons.map((r) => ms(r.firstAt))),
      last_seen_time: Math.max(...v.reasons.map((r) => ms(r.lastAt))),
      analytic: { name: 'Cordon drift watch', type_id: 4, type: 'Behavioral' },
    },
    evidences: v.reasons.map((r) => ({ name: r.signal, data: { category: r.category, subject: r.subject, text: r.text, weight: r.weight, event_ids: r.eventIds } })),
    resources: [
      { type: 'token', uid: v.tokenKey, owner: { name: v.principal }, ...(v.app ? { labels: [`app:${v.app}`] } : {}) },
    ],
    ...(v.dismissal ? { comment: `dismissed by ${v.dismissal.by}: ${v.dismissal.reason}`.slice(0, 2000) } : {}),
  };
}

// Every exported OCSF event validates against its class's JSON Schema (OCSF 1.8.0, generated offline by
// export/ocsf-schemas/generate.sh), and the export says what happened: the classes, the D3FEND tactics,
// the request ids, and event ids that stay the same from one export to the next.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EvidenceEntry } from '../schemas/evidence.ts';
import { finishedStatus } from '../drills/status-fixture.ts';
import { exportableStatus } from '../test/support/evidence-fixture.ts';
import { exportRunOf } from './events.ts';
import { OCSF_CLASSES, ocsfEventsOf, type OcsfEvent } from './ocsf.ts';

const dir = fileURLToPath(new URL('./ocsf-schemas/', import.meta.url));
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = new Map(
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [Number(f.split('-')[0]), ajv.compile(JSON.parse(readFileSync(dir + f, 'utf8')))] as const),
);

function expectValid(e: OcsfEvent) {
  const validate = validators.get(e.class_uid);
  expect(validate, `no schema for class ${e.class_uid}`).toBeDefined();
  const ok = validate!(e);
  expect(ok ? [] : validate!.errors, `class ${e.class_uid} seq ${String((e.metadata as { sequence?: number }).sequence)}`).toEqual([]);
}

describe('OCSF export', () => {
  const run = exportRunOf(exportableStatus());
  const events = ocsfEventsOf(run, { product: { version: '0.0.0-test' }, severity: 'high' });
  const ofClass = (uid: number) => events.filter((e) => e.class_uid === uid);

  it('validates every event against its class schema', () => {
    expect(new Set(events.map((e) => e.class_uid))).toEqual(new Set(Object.values(OCSF_CLASSES)));
    for (const e of events) expectValid(e);
    const legacy = { ...finishedStatus(), evidence: z.array(EvidenceEntry).parse(finishedStatus().evidence) };
    for (const e of ocsfEventsOf(exportRunOf(legacy))) expectValid(e);
  });

  it('the schemas are strict: an unknown field or a wrong activity fails', () => {
    const e = ofClass(OCSF_CLASSES.remediationActivity)[0]!;
    expect(validators.get(7001)!({ ...e, cordon_extra: 1 })).toBe(false);
    expect(validators.get(7001)!({ ...e, activity_id: 42 })).toBe(false);
  });

  it('opens and closes the Incident Finding with the run', () => {
    const [open, close] = ofClass(OCSF_CLASSES.incidentFinding);
    expect(open).toMatchObject({ activity_id: 1, type_uid: 200501, status_id: 2, severity_id: 4 });
    expect(close).toMatchObject({ activity_id: 3, type_uid: 200503, status_id: 99, status_detail: expect.stringContaining('fallback ladder') });
  });

  it('maps revoke to Evict, replace and re-authentication to Restore, with D3FEND countermeasures', () => {
    const rem = ofClass(OCSF_CLASSES.remediationActivity);
    const bySeq = new Map(rem.map((e) => [(e.metadata as unknown as { sequence: number }).sequence, e]));
    const seqOf = (kind: string) => run.events.filter((e) => e.kind === kind).map((e) => e.seq);
    expect(seqOf('revoked').length).toBeGreaterThan(0);
    for (const seq of seqOf('revoked')) expect(bySeq.get(seq)).toMatchObject({ activity_id: 2, countermeasures: [{ d3f_tactic: { name: 'Evict' }, d3f_technique: { uid: 'D3-CR' } }] });
    for (const seq of [...seqOf('replaced'), ...seqOf('reauthenticated')]) expect(bySeq.get(seq)).toMatchObject({ activity_id: 3, countermeasures: [{ d3f_tactic: { name: 'Restore' } }] });
    const failedReplace = run.events.find((e) => e.kind === 'replacement_not_possible')!;
    expect(bySeq.get(failedReplace.seq)).toMatchObject({ status_id: 2 });
  });

  it('emits an API Activity per provider call with its request id, and Account Changes for principals', () => {
    const api = ofClass(OCSF_CLASSES.apiActivity).filter((e) => (e.api as { request?: unknown }).request);
    expect(api.map((e) => (e.api as { request: { uid: string } }).request.uid).sort()).toEqual(['GH-REQ-identify', 'GH-REQ-revoke', 'GH-REQ-suspend', 'SF-REQ-reauth', 'SF-REQ-restrict', 'SF-REQ-verify']);
    expect(api.find((e) => (e.api as { request: { uid: string } }).request.uid === 'GH-REQ-revoke')).toMatchObject({ activity_id: 4, api: { operation: 'revoked', service: { name: 'github' } }, status_id: 1 });
    const accounts = ofClass(OCSF_CLASSES.accountChange);
    expect(accounts.map((e) => e.activity_id).sort()).toEqual([5, 99]);
    expect(accounts.find((e) => e.activity_id === 99)).toMatchObject({ user: { uid: 'salesforce:u1' } });
  });

  it('emits one Compliance Finding per exercised control, Pass only when every proving event succeeded', () => {
    const findings = ofClass(OCSF_CLASSES.complianceFinding);
    const rsmi = findings.find((e) => (e.compliance as { control: string; standards: string[] }).control === 'RS.MI-01' && (e.compliance as { standards: string[] }).standards[0]!.startsWith('NIST Cybersecurity'))!;
    expect(rsmi).toMatchObject({ compliance: { status: 'Warning', status_id: 2 } });
    expect((rsmi.finding_info as { related_events: { uid: string }[] }).related_events.every((r) => r.uid.startsWith(`${run.workflowId}#`))).toBe(true);
  });

  it('emits each person\'s decision as an API Activity on the run, with who authenticated them as the actor', () => {
    const people = ofClass(OCSF_CLASSES.apiActivity).filter((e) => (e.api as { service?: { name?: string } }).service?.name === 'cordon');
    expect(people.map((e) => [e.actor, e.src_endpoint, e.status_id, e.unmapped])).toEqual([
      [{ user: { name: 'mallory' } }, { name: 'temporal' }, 2, { authenticated_by: 'unauthenticated', claimed_channel: 'slack' }],
      [{ user: { uid: 'U0BOB', name: 'bob' }, idp: { name: 'Slack', tenant_uid: 'T0ACME' }, app_name: 'Cordon Slack app' }, { name: 'slack' }, 1, { authenticated_by: 'slack_signature' }],
    ]);
    for (const e of people) expectValid(e);
    // Decisions recorded before authentication was (no authenticatedBy) are not guessed at.
    expect(ocsfEventsOf(exportRunOf(finishedStatus())).filter((e) => (e.api as { service?: { name?: string } } | undefined)?.service?.name === 'cordon')).toEqual([]);
  });

  it('gives every event an id that is unique in the export and the same in the next export', () => {
    const ids = events.map((e) => e.metadata.uid);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ocsfEventsOf(exportRunOf(exportableStatus())).map((e) => e.metadata.uid)).toEqual(ids);
    const other = ocsfEventsOf({ ...run, workflowId: `${run.workflowId}-2` }).map((e) => e.metadata.uid);
    expect(other.filter((id) => ids.includes(id))).toEqual([]);
  });
});

// Drift verdicts as OCSF Detection Findings (2004): every one validates against the class schema generated
// offline (ocsf-schemas/generate.sh), and says what the verdict says: its reasons as evidence, the token as
// the resource, Create / Update / Close with New or Suppressed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { TokenUseEventInput } from '../schemas/token-use.ts';
import { openBaselineStore } from '../watch/baseline-store.ts';
import { openWatch } from '../watch/engine.ts';
import { openIpIntel } from '../watch/ip-intel.ts';
import { DETECTION_FINDING, detectionFindingOf } from './detection-finding.ts';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('./ocsf-schemas/2004-detection_finding.json', import.meta.url)), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

describe('OCSF Detection Finding', () => {
  it('a verdict opened, then dismissed: both validate, with the reasons as evidence and the token as resource', () => {
    const store = openBaselineStore(':memory:');
    const watch = openWatch({ store, ipIntel: openIpIntel() });
    const at = Date.now() - 3_600_000;
    watch.recordRevocations([{ tokenKey: 'ana@acme.example:client-1', at: new Date(at).toISOString() }]);
    const use: TokenUseEventInput = { id: 'google:token:9', provider: 'google', at: new Date(at + 600_000).toISOString(), action: 'use', tokenKey: 'ana@acme.example:client-1', principal: 'ana@acme.example', app: 'client-1', ip: '134.209.0.77' };
    const [verdict] = watch.ingest([use]).verdicts;
    const opened = detectionFindingOf(verdict!, { containment: 'cordon-contain-drift-x' });
    expect(validate(opened) ? [] : validate.errors).toEqual([]);
    expect(opened).toMatchObject({ class_uid: DETECTION_FINDING, activity_id: 1, type_uid: 200401, status_id: 1, risk_score: verdict!.score });
    expect((opened.finding_info as { uid: string; types: string[] }).uid).toBe(verdict!.id);
    expect((opened.finding_info as { types: string[] }).types).toContain('use_after_revocation');
    expect((opened.evidences as { data: { event_ids: string[] } }[])[0]!.data.event_ids).toContain('google:token:9');
    // The watch's outbox numbers each change of a verdict: a stable finding uid plus its revision.
    const revised = detectionFindingOf(verdict!, { revision: 2 });
    expect(validate(revised) ? [] : validate.errors).toEqual([]);
    expect(revised.metadata).toMatchObject({ sequence: 2, uid: opened.metadata.uid });

    const dismissed = detectionFindingOf(watch.dismiss('ana@acme.example:client-1', 'CHG-7: re-issued on purpose', 'maria', new Date()));
    expect(validate(dismissed) ? [] : validate.errors).toEqual([]);
    expect(dismissed).toMatchObject({ activity_id: 3, status_id: 3, comment: 'dismissed by maria: CHG-7: re-issued on purpose' });
    // A different change of the same verdict is a different event; the same one is the same id (dedup).
    expect(dismissed.metadata.uid).not.toBe(opened.metadata.uid);
    expect(detectionFindingOf(verdict!).metadata.uid).toBe(opened.metadata.uid);
    store.close();
  });
});

// `cordon evidence --format`: json is the sealed pack (or the record of a run without one), ocsf one
// event a line, html the auditor's page; an unknown format is refused naming the option.
import { describe, expect, it } from 'vitest';
import { exportRunOf } from '../export/events.ts';
import { ocsfEventsOf } from '../export/ocsf.ts';
import { EvidencePack } from '../schemas/evidence.ts';
import { exportableStatus } from '../test/support/evidence-fixture.ts';
import { parseEvidenceFormat, renderEvidence } from './evidence.ts';

describe('cordon evidence --format', () => {
  it('refuses an unknown format, naming --format and the choices', () => {
    expect(parseEvidenceFormat(undefined)).toBe('json');
    expect(() => parseEvidenceFormat('xml')).toThrow(/--format must be one of json, ocsf, html/);
  });

  it('writes the sealed pack as json, and the record itself for a run still running', () => {
    const s = exportableStatus();
    const pack = EvidencePack.parse(JSON.parse(renderEvidence(s, 'json')));
    expect(pack.digest).toBe(s.evidenceDigest);
    expect(pack.events.length).toBe(s.evidence.length);
    const running = JSON.parse(renderEvidence({ ...s, outcome: 'running', seal: undefined }, 'json')) as { format?: string; evidence: unknown[] };
    expect(running.format).toBeUndefined();
    expect(running.evidence.length).toBe(s.evidence.length);
  });

  it('writes one OCSF event a line, and a page that embeds the pack', () => {
    const s = exportableStatus();
    const lines = renderEvidence(s, 'ocsf').split('\n').map((l) => JSON.parse(l) as { metadata: { uid: string } });
    expect(lines.map((e) => e.metadata.uid)).toEqual(ocsfEventsOf(exportRunOf(s)).map((e) => e.metadata.uid));
    const html = renderEvidence(s, 'html');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`id="digest">${s.evidenceDigest}`);
  });
});

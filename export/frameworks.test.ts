// The framework mapping: every mapped CSF id is in the shipped OSCAL subset and none is withdrawn; the
// OWASP NHI ids are the published ten; the control report names, per control, the events that prove it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EvidenceEntry } from '../schemas/evidence.ts';
import { exportableStatus } from '../test/support/evidence-fixture.ts';
import { EVIDENCE_KINDS } from '../schemas/evidence.ts';
import { exportEventsOf, exportRunOf } from './events.ts';
import { CONTROLS_BY_KIND, controlReport, controlsFor, csfSubcategories } from './frameworks.ts';

describe('framework mapping', () => {
  const { active, withdrawn } = csfSubcategories();

  it('maps only CSF 2.0 subcategories that the OSCAL subset lists as current, never a withdrawn one', () => {
    const mapped = new Set(Object.values(CONTROLS_BY_KIND).flatMap((m) => m.csf));
    expect(mapped.size).toBeGreaterThan(10);
    for (const id of mapped) {
      expect(withdrawn.has(id), `${id} is withdrawn`).toBe(false);
      expect(active.has(id), `${id} is not in the catalog subset`).toBe(true);
    }
    // The subset keeps withdrawn CSF 1.1 ids marked, so the check above has something to catch.
    expect([...withdrawn]).toEqual(expect.arrayContaining(['DE.AE-05', 'RS.AN-02', 'RS.CO-04', 'RS.MI-03']));
    expect(active.get('RS.MI-01')).toBe('Incidents are contained');
  });

  it('reads withdrawn subcategories out of an OSCAL catalog as withdrawn, not current', () => {
    const catalog = { catalog: { groups: [{ id: 'RS', controls: [{ id: 'RS.MI-03', class: 'subcategory', props: [{ name: 'status', value: 'withdrawn' }] }] }] } };
    expect(csfSubcategories(catalog).withdrawn.has('RS.MI-03')).toBe(true);
    expect(csfSubcategories(catalog).active.has('RS.MI-03')).toBe(false);
  });

  it('writes OWASP NHI ids as NHIn:2025 from the published ten', () => {
    const nhi = new Set(Object.values(CONTROLS_BY_KIND).flatMap((m) => m.nhi));
    for (const id of nhi) expect(id).toMatch(/^NHI([1-9]|10):2025$/);
    expect(controlsFor('revoked').find((c) => c.id === 'NHI2:2025')?.title).toBe('Secret Leakage');
  });

  it('gives every kind but `other` at least one CSF control, and titles every control', () => {
    expect(controlsFor('other')).toEqual([]);
    for (const kind of EVIDENCE_KINDS) {
      const controls = controlsFor(kind);
      if (kind === 'registry_note') expect(controls).toEqual([]);
      else expect(controls.some((c) => c.framework === 'nist-csf-2.0'), kind).toBe(true);
      for (const c of controls) expect(c.title.length, `${c.framework} ${c.id}`).toBeGreaterThan(3);
    }
    expect(controlsFor('revoked').map((c) => `${c.framework} ${c.id}`)).toEqual(
      expect.arrayContaining(['nist-csf-2.0 RS.MI-01', 'nist-sp-800-61r3 RS.MI-01', 'cis-controls-v8 6.2', 'iso-27001-2022 A.5.17']),
    );
  });

  it('reads legacy free-text entries of runs finished before typed evidence', () => {
    // As a Temporal query returns them: no `kind` on a free-text entry.
    const raw = [
      { seq: 0, at: '2026-01-10T10:00:00.000Z', step: 'start', actor: 'alice', outcome: 'accepted' },
      { seq: 1, at: '2026-01-10T10:00:01.000Z', step: 'approval:c0', actor: 'bob', outcome: 'approved', detail: 'via slack (1/1)' },
      { seq: 2, at: '2026-01-10T10:00:02.000Z', step: 'revoke', actor: 'cordon', outcome: 'revoked', credentialId: 'github:pat:1', requestId: 'R1' },
      { seq: 3, at: '2026-01-10T10:00:03.000Z', step: 'verify', actor: 'cordon', outcome: 'alive', credentialId: 'github:pat:1' },
      { seq: 4, at: '2026-01-10T10:00:04.000Z', step: 'fallback:suspendPrincipal', actor: 'cordon', outcome: 'not possible', credentialId: 'github:pat:1' },
      { seq: 5, at: '2026-01-10T10:00:05.000Z', step: 'finish', actor: 'cordon', outcome: 'not_contained' },
    ];
    const events = exportEventsOf(raw as never);
    expect(exportEventsOf(z.array(EvidenceEntry).parse(raw))).toEqual(events);
    expect(events.map((e) => e.kind)).toEqual(['started', 'approval_decided', 'revoked', 'verified', 'fallback_rung', 'finished']);
    expect(events.map((e) => e.succeeded)).toEqual([true, true, true, false, false, false]);
    expect(events[4]).toMatchObject({ rung: 'suspendPrincipal', provider: 'github' });
    expect(events.every((e) => e.hash === undefined)).toBe(true);
    expect(controlReport(events).find((c) => c.id === 'RS.MI-01')?.status).toBe('partly_met');
  });

  it('reports each exercised control with the seq of every event that proves it, and whether they succeeded', () => {
    const run = exportRunOf(exportableStatus());
    const report = controlReport(run.events);
    const contained = report.find((c) => c.framework === 'nist-csf-2.0' && c.id === 'RS.MI-01')!;
    const provers = run.events.filter((e) => ['revoked', 'restricted', 'verified', 'fallback_rung', 'cut_off'].includes(e.kind));
    expect(contained.events.map((e) => e.seq)).toEqual(provers.map((e) => e.seq));
    // The `alive` verdict and the rung that was not possible failed: the control was partly met.
    expect(contained.status).toBe('partly_met');
    const notified = report.find((c) => c.id === 'RS.CO-02' && c.framework === 'nist-csf-2.0')!;
    expect(notified.events.some((e) => !e.succeeded && e.kind === 'notification_failed')).toBe(true);
    // A control no event exercised is not in the report.
    expect(report.find((c) => c.id === 'NHI6:2025')).toBeUndefined();
    // Sorted by framework, then id.
    expect(report[0]!.framework).toBe('nist-csf-2.0');
    expect(report[report.length - 1]!.framework).toBe('owasp-nhi-2025');
  });
});

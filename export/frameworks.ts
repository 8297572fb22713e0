// Which controls a containment exercises, and the events that prove each (issue 13, part 4). Each
// evidence kind maps to controls in five frameworks:
//   - NIST CSF 2.0 subcategories: ids and statements from NIST's OSCAL catalog (public domain), of which
//     ./catalogs/nist-csf-2.0-subset.json ships the part Cordon maps to; withdrawn CSF 1.1 ids are kept
//     there marked withdrawn, and no mapping may use one (frameworks.test.ts);
//   - NIST SP 800-61r3: written as a CSF 2.0 Community Profile, so its entries are the same CSF
//     subcategory ids, listed as their own framework because auditors ask for it by name;
//   - CIS Controls v8 safeguards, ISO/IEC 27001:2022 Annex A controls: numbers with short titles of
//     Cordon's own (the standards' text is copyrighted);
//   - OWASP Non-Human Identities Top 10 (2025): the risks a containment acts on, written `NHI2:2025`.
// docs/evidence-export.md lists the mapping in prose and says where each source came from.
import csfCatalog from './catalogs/nist-csf-2.0-subset.json' with { type: 'json' };
import type { ExportEvent, ExportKind } from './events.ts';

export const FRAMEWORKS = {
  'nist-csf-2.0': { name: 'NIST Cybersecurity Framework 2.0', short: 'NIST CSF 2.0' },
  'nist-sp-800-61r3': { name: 'NIST SP 800-61 Rev. 3 (CSF 2.0 Community Profile for incident response)', short: 'SP 800-61r3' },
  'cis-controls-v8': { name: 'CIS Critical Security Controls v8', short: 'CIS v8' },
  'iso-27001-2022': { name: 'ISO/IEC 27001:2022 Annex A', short: 'ISO 27001' },
  'owasp-nhi-2025': { name: 'OWASP Non-Human Identities Top 10 (2025)', short: 'OWASP NHI' },
} as const;
export type FrameworkId = keyof typeof FRAMEWORKS;

export interface Control {
  framework: FrameworkId;
  id: string;
  title: string;
}

interface OscalControl {
  id: string;
  class?: string;
  props?: { name: string; value: string }[];
  parts?: { name: string; prose?: string }[];
  controls?: OscalControl[];
}

/** The CSF subcategories in the shipped catalog subset: id → statement, and the withdrawn ids. */
export function csfSubcategories(catalog: { catalog: { groups: OscalControl[] } } = csfCatalog): { active: Map<string, string>; withdrawn: Set<string> } {
  const active = new Map<string, string>();
  const withdrawn = new Set<string>();
  const walk = (controls: OscalControl[] | undefined) => {
    for (const c of controls ?? []) {
      if (c.class === 'subcategory') {
        if (c.props?.some((p) => p.name === 'status' && p.value === 'withdrawn')) withdrawn.add(c.id);
        else active.set(c.id, c.parts?.find((p) => p.name === 'statement')?.prose ?? c.id);
      }
      walk(c.controls);
    }
  };
  walk(catalog.catalog.groups);
  return { active, withdrawn };
}

const CIS: Record<string, string> = {
  '5.1': 'Keep an inventory of accounts',
  '5.5': 'Keep an inventory of service accounts',
  '6.1': 'Have a process for granting access',
  '6.2': 'Have a process for revoking access',
};

const ISO: Record<string, string> = {
  'A.5.15': 'Access control rules',
  'A.5.17': 'Authentication information handling',
  'A.5.18': 'Granting, reviewing and removing access rights',
  'A.5.24': 'Preparing to manage incidents',
  'A.5.25': 'Assessing security events',
  'A.5.26': 'Responding to incidents',
  'A.5.28': 'Collecting evidence',
  'A.8.5': 'Secure authentication',
  'A.8.15': 'Logging',
};

const NHI: Record<string, string> = {
  'NHI1:2025': 'Improper Offboarding',
  'NHI2:2025': 'Secret Leakage',
  'NHI3:2025': 'Vulnerable Third-Party NHI',
  'NHI4:2025': 'Insecure Authentication',
  'NHI5:2025': 'Overprivileged NHI',
  'NHI6:2025': 'Insecure Cloud Deployment Configurations',
  'NHI7:2025': 'Long-Lived Secrets',
  'NHI8:2025': 'Environment Isolation',
  'NHI9:2025': 'NHI Reuse',
  'NHI10:2025': 'Human Use of NHI',
};

interface KindMapping {
  csf: string[];
  cis: string[];
  iso: string[];
  nhi: string[];
}

const none: KindMapping = { csf: [], cis: [], iso: [], nhi: [] };
const containment: KindMapping = { csf: ['RS.MI-01', 'RS.MI-02'], cis: ['6.2'], iso: ['A.5.17', 'A.5.18', 'A.5.26'], nhi: ['NHI1:2025', 'NHI2:2025', 'NHI7:2025'] };
const restriction: KindMapping = { csf: ['RS.MI-01', 'PR.AA-05'], cis: ['6.2'], iso: ['A.5.15', 'A.5.18'], nhi: ['NHI5:2025'] };
const replacement: KindMapping = { csf: ['RS.MI-02', 'RS.MA-05'], cis: ['6.1'], iso: ['A.5.17'], nhi: ['NHI7:2025', 'NHI9:2025'] };
const reauthentication: KindMapping = { csf: ['RS.MI-02'], cis: ['6.2'], iso: ['A.5.17', 'A.8.5'], nhi: ['NHI2:2025', 'NHI4:2025'] };
const escalation: KindMapping = { csf: ['RS.MA-04', 'RS.CO-02'], cis: [], iso: ['A.5.26'], nhi: [] };
const decision: KindMapping = { csf: ['RS.MA-02', 'PR.AA-05'], cis: [], iso: ['A.5.26'], nhi: [] };
const record: KindMapping = { csf: ['RS.AN-06'], cis: [], iso: ['A.5.28'], nhi: [] };

/**
 * What each kind of evidence event exercises (an event that failed still exercised its controls, and
 * the report says it failed). Keyed by every kind of schemas/evidence.ts, so a new kind does not
 * compile until it is mapped; `other` (a legacy entry no kind fits) exercises nothing.
 */
export const CONTROLS_BY_KIND: Record<ExportKind, KindMapping> = {
  started: { csf: ['DE.AE-08', 'RS.MA-01'], cis: [], iso: ['A.5.24', 'A.5.26'], nhi: ['NHI2:2025'] },
  identified: { csf: ['DE.AE-02', 'DE.AE-03', 'RS.AN-03', 'RS.AN-08'], cis: ['5.1', '5.5'], iso: ['A.5.25'], nhi: ['NHI2:2025'] },
  enriched: { csf: ['DE.AE-02', 'DE.AE-03', 'RS.AN-03', 'RS.AN-08'], cis: ['5.1', '5.5'], iso: ['A.5.25'], nhi: ['NHI2:2025'] },
  planned: { csf: ['RS.MA-02', 'RS.MA-03'], cis: [], iso: ['A.5.25'], nhi: [] },
  approval_requested: { csf: ['RS.MA-02', 'RS.CO-02'], cis: [], iso: ['A.5.26'], nhi: [] },
  approval_decided: decision,
  approval_refused: { csf: ['PR.AA-05', 'RS.AN-06'], cis: [], iso: ['A.5.28'], nhi: [] },
  approval_escalated: escalation,
  approval_defaulted: { csf: ['RS.MA-04'], cis: [], iso: ['A.5.26'], nhi: [] },
  approval_deadline: { csf: ['RS.MA-04'], cis: [], iso: ['A.5.26'], nhi: [] },
  approval_fail_closed: { csf: ['RS.MA-04', 'RS.MI-01'], cis: [], iso: ['A.5.26'], nhi: [] },
  staged_fail_closed: { csf: ['RS.MA-04', 'RS.MI-01'], cis: ['6.2'], iso: ['A.5.26'], nhi: [] },
  restricted: restriction,
  restriction_not_possible: restriction,
  unrestricted: { csf: ['RS.MA-05', 'PR.AA-05'], cis: [], iso: ['A.5.18'], nhi: [] },
  unrestrict_failed: { csf: ['RS.MA-05', 'PR.AA-05'], cis: [], iso: ['A.5.18'], nhi: [] },
  revoked: containment,
  revoke_by_value_not_possible: containment,
  re_revoked: containment,
  replaced: replacement,
  replacement_owned_elsewhere: replacement,
  replacement_not_possible: replacement,
  reauthenticated: reauthentication,
  reauth_not_possible: reauthentication,
  verified: { csf: ['RS.AN-08', 'RS.MI-01'], cis: ['6.2'], iso: ['A.5.26'], nhi: ['NHI1:2025'] },
  unplanned_left_alone: { csf: ['RS.AN-08'], cis: ['5.1'], iso: ['A.5.25'], nhi: ['NHI1:2025'] },
  fallback_rung: { csf: ['RS.MI-01', 'RS.MA-04'], cis: ['6.2'], iso: ['A.5.18', 'A.5.26'], nhi: ['NHI3:2025'] },
  cut_off: { csf: ['RS.MI-01'], cis: ['6.2'], iso: ['A.5.15'], nhi: ['NHI3:2025'] },
  stopped: { csf: ['RS.MA-04'], cis: [], iso: ['A.5.26'], nhi: [] },
  waiting_escalated: escalation,
  cancel_requested: record,
  signal_ignored: record,
  notification_failed: { csf: ['RS.CO-02'], cis: [], iso: ['A.5.26'], nhi: [] },
  registry_note: none,
  finished: { csf: ['RS.AN-06', 'RS.AN-07', 'RS.CO-03'], cis: [], iso: ['A.5.28', 'A.8.15'], nhi: [] },
  other: none,
};

function titled(framework: FrameworkId, id: string, titles: ReadonlyMap<string, string> | Record<string, string>): Control {
  const title = titles instanceof Map ? titles.get(id) : (titles as Record<string, string>)[id];
  if (!title) throw new Error(`frameworks: ${FRAMEWORKS[framework].short} ${id} is mapped but not in its catalog`);
  return { framework, id, title };
}

/** Every control one kind of event exercises, across the five frameworks, with titles. */
export function controlsFor(kind: ExportKind): Control[] {
  const m = CONTROLS_BY_KIND[kind];
  const csf = csfSubcategories().active;
  return [
    ...m.csf.map((id) => titled('nist-csf-2.0', id, csf)),
    // SP 800-61r3 recommends the Respond outcomes and the Detect outcomes that declare an incident.
    ...m.csf.filter((id) => id.startsWith('RS.') || id === 'DE.AE-08' || id === 'DE.AE-02' || id === 'DE.AE-03').map((id) => titled('nist-sp-800-61r3', id, csf)),
    ...m.cis.map((id) => titled('cis-controls-v8', id, CIS)),
    ...m.iso.map((id) => titled('iso-27001-2022', id, ISO)),
    ...m.nhi.map((id) => titled('owasp-nhi-2025', id, NHI)),
  ];
}

export type ControlStatus = 'met' | 'partly_met' | 'not_met';

export interface ControlEntry extends Control {
  /** met: every proving event succeeded; partly_met: some did; not_met: none did (tried, but failed). */
  status: ControlStatus;
  events: { seq: number; at: string; kind: ExportKind; succeeded: boolean; summary: string; hash?: string }[];
}

/** The per-incident control report: each control this containment exercised, with the events that prove it. */
export function controlReport(events: readonly ExportEvent[]): ControlEntry[] {
  const byKey = new Map<string, ControlEntry>();
  for (const e of events) {
    for (const c of controlsFor(e.kind)) {
      const key = `${c.framework}|${c.id}`;
      const entry = byKey.get(key) ?? { ...c, status: 'met' as ControlStatus, events: [] };
      entry.events.push({ seq: e.seq, at: e.at, kind: e.kind, succeeded: e.succeeded, summary: e.summary, ...(e.hash ? { hash: e.hash } : {}) });
      byKey.set(key, entry);
    }
  }
  const order = Object.keys(FRAMEWORKS);
  return [...byKey.values()]
    .map((entry) => {
      const ok = entry.events.filter((e) => e.succeeded).length;
      return { ...entry, status: (ok === entry.events.length ? 'met' : ok > 0 ? 'partly_met' : 'not_met') as ControlStatus };
    })
    .sort((a, b) => order.indexOf(a.framework) - order.indexOf(b.framework) || a.id.localeCompare(b.id, 'en', { numeric: true }));
}

// The contract between one provider's emulator and the tenant that hosts it.
import type { EmulatedProvider } from './types.ts';
import type { CallContext, Router } from './http.ts';
import type { ErrorShapes } from './server.ts';
import type { AuditClock } from './audit-log.ts';

export interface ProviderEmulator<Section> {
  provider: EmulatedProvider;
  router: Router;
  errors: ErrorShapes;
  /** Headers added to every answer (rate-limit signals). */
  decorate?: (operation: string, call: CallContext) => Record<string, string>;
  /** Told once the server listens: some answers must point back at the emulator (Salesforce instance_url). */
  setBaseUrl(url: string): void;
  /** Replace all state with a scenario section; undefined leaves an empty tenant. */
  load(section: Section | undefined): void;
  /** What is seeded now, by kind (e.g. `{ users: 3, tokens: 5 }`): tests compare it with the scenario file. */
  counts(): Record<string, number>;
  /**
   * Appends wire-shaped audit records (core/audit-log.ts AuditSeed; Salesforce's also name their sObject) to what
   * is loaded, without a reload; returns how many. A bad record throws naming its field, and nothing is added.
   */
  addAuditRecords(records: unknown): number;
  /** The tenant's one audit clock: a seeded record shows once it passes the record's `availableAt`. */
  useAuditClock(clock: AuditClock): void;
}

// Failure `type` strings: part of Temporal's retry contract and what workflows branch on (never on
// message text). Stable names: documented in README; activities/failures.ts maps connector errors to
// them, the workflow reads them from here. Pure: workflows import this file.
export const FAILURE_TYPES = {
  rate_limited: 'connector.rate_limited',
  unavailable: 'connector.unavailable',
  timeout: 'connector.timeout',
  auth: 'connector.auth',
  permission: 'connector.permission',
  not_found: 'connector.not_found',
  invalid: 'connector.invalid',
  conflict: 'connector.conflict',
  unsupported: 'connector.unsupported',
  self_lockout: 'cordon.self_lockout',
  no_connector: 'cordon.no_connector',
  invalid_input: 'cordon.invalid_input',
  /** Cordon's own coordination (the replacement registry) is busy or restarting: try again. */
  coordination_busy: 'cordon.coordination_busy',
  /** A `decide` update the workflow refused and recorded in the evidence (the way in need not report it). */
  decision_refused: 'cordon.decision_refused',
} as const;

/** Transient: retried until the containment deadline (I9). */
export const TRANSIENT_FAILURE_TYPES: readonly string[] = [FAILURE_TYPES.rate_limited, FAILURE_TYPES.unavailable, FAILURE_TYPES.timeout, FAILURE_TYPES.coordination_busy];

// @cordon/emulators: stateful HTTP emulators of the Google Workspace, GitHub, Salesforce and Slack API
// subsets, seeded from scenarios, with one call log, one fault book and a control API (README.md).
// Nothing here knows the client under test; a host that needs its own names (environment variables,
// credential ids) builds them from each emulator's connection() and the call-log label option.
export { startTenant, loadScenarioByName, loadScenarioDir, loadScenarioFile, readScenarioFile, scenarioDir, scenarioNames, shippedScenarioNames, FaultInput, RateLimitInput, AuditRecordsInput, AuditClockInput, TenantClockInput } from './tenant.ts';
export { AuditSeed, AuditClock } from './core/audit-log.ts';
export type { Emulators, Tenant, TenantOptions } from './tenant.ts';
export { Scenario } from './scenario.ts';
export { loadScenario } from './scenarios/load.ts';
export { EMULATED_PROVIDERS, Consumer, ConsumerSink, PrincipalStatus, PrincipalType, type EmulatedProvider } from './core/types.ts';
export { CallLog, FaultBook, startEmulatorServer } from './core/server.ts';
export type { CallRecord, EmulatorServer, ErrorShapes, Fault } from './core/server.ts';
export type { ProviderEmulator } from './core/provider.ts';

export { createGoogleEmulator, type GoogleConnection, type GoogleEmulator } from './google/emulator.ts';
export { GoogleScenario, generateGoogleLoadSection, type GoogleScenarioInput } from './google/scenario.ts';
export { selfSignedCertificate } from './google/certificate.ts';

export {
  createGitHubEmulator,
  defaultCredentialLabel,
  type GitHubConnection,
  type GitHubCredentialLabel,
  type GitHubEmulator,
  type GitHubEmulatorOptions,
  type GoneOperation,
  type GoneStatus,
} from './github/emulator.ts';
export { GitHubScenario, GitHubCredential, generateGitHubLoadSection, type GitHubScenarioInput } from './github/scenario.ts';

export { createSalesforceEmulator, type SalesforceConnection, type SalesforceEmulator } from './salesforce/emulator.ts';
export { SalesforceScenario, SalesforceAuditSeed, generateSalesforceLoadSection, salesforceId } from './salesforce/scenario.ts';

export { createSlackEmulator, isSlackEmulator, type OpenedView, type PostedMessage, type SlackConnection, type SlackEmulator } from './slack/emulator.ts';
export { SlackScenario, generateSlackLoadSection, type SlackScenarioInput } from './slack/scenario.ts';
export { slackSignatureHeaders } from './slack/signing.ts';

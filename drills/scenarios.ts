// The drills of the shipped scenarios (emulators/scenarios/<name>/): what the responder knows after
// each breach, the mode, and the targets that express what Cordon actually guarantees.
//
// The refs are what each breach really put in the attacker's hands, not the easy ones. A GitHub
// token whose value leaked is killed everywhere through GitHub's credential revocation and verified
// dead by probing with it. One known only by id can only lose its access to the org (the token still
// authenticates for its owner): the drill includes such a PAT and expects Cordon to say exactly that,
// `cut_off` with what the owner must do, never "verified dead" (docs/design.md I3). The drill passes
// when every other credential is verified dead within the targets and each expectation holds; an
// expectation that suddenly reads otherwise fails the drill (it or the verification needs a look).
import { DrillDefinition, type DrillDefinitionInput } from '../schemas/drill.ts';

const GITHUB_PAT_CUT_OFF =
  'without its value GitHub lets an org only remove a personal access token’s access to the org: the token still authenticates for its owner until deleted or reported to GitHub’s credential revocation';

const definitions: DrillDefinitionInput[] = [
  {
    name: 'salesloft-drift',
    description: 'The stolen Drift tokens after the Salesloft/Drift breach: Salesforce, Google Workspace and Slack',
    rationale:
      'The Drift integration user’s Salesforce grant is shared by three consumers, so it is cut over in approved stages ' +
      '(restrict → one replacement per consumer → revoke); the same vendor’s Google grant and Slack bot token go with it. ' +
      'Google cannot re-issue a user’s OAuth grant and Slack cannot mint a bot token: those consumers must re-authorize, ' +
      'and the report lists them.',
    refs: [
      { provider: 'salesforce', kind: 'refresh_token', clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com' },
      { provider: 'google', kind: 'oauth_grant', clientId: '482715630127-drift9c1kq2.apps.googleusercontent.com', user: 'drift-integration@acme.example' },
      { provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-emulated-drift-bot-acme-main-0001' },
    ],
    mode: 'staged',
    severity: 'high',
    waveSize: 2,
    approveAfter: '0s',
    targets: { containWithin: '15m', revokeWithin: '10m', maxApprovalWait: '5m', maxFallbackSteps: 0 },
  },
  {
    name: 'circleci',
    description: 'Secrets held by CI after the CircleCI session-token theft: GitHub and Google credentials',
    rationale:
      'The CI deployer’s Google service-account key (two consumers, new keys sealed into their GitHub Actions secrets), ' +
      'the write deploy key on infra-terraform, the CI bot’s OAuth token (revoked by value; its pipelines must ' +
      're-authorize) and the release pipeline’s classic PAT, whose leaked value lets GitHub’s credential revocation kill it.',
    refs: [
      { provider: 'google', kind: 'service_account_key', keyId: '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f' },
      { provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7102' },
      { provider: 'github', kind: 'oauth_token', leakedValue: 'gho_QXQWPkTZiBnZmdRUTuSoktjaSRocVB8a1kMf' },
      { provider: 'github', kind: 'pat', leakedValue: 'ghp_govYleKxdKaTrZjWE6paaP7RyhUFyVrJDRbx' },
    ],
    mode: 'direct',
    severity: 'critical',
    targets: { containWithin: '15m', revokeWithin: '5m' },
  },
  {
    name: 'cloudflare-okta',
    description: 'Credentials left unrotated after the Okta support-system breach: Google Workspace, GitHub and Slack',
    rationale:
      'The Okta sync service-account key (two consumers), the Okta provisioning OAuth grant in Workspace, the Okta ' +
      'Workflows Slack bot token, the Atlassian sync fine-grained PAT (its leaked value lets GitHub’s credential revocation ' +
      'kill it), and the Okta SCIM classic PAT known only by id, which the org can only cut off.',
    refs: [
      { provider: 'google', kind: 'service_account_key', keyId: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b' },
      { provider: 'google', kind: 'oauth_grant', clientId: '254100093311-oktaprov.apps.googleusercontent.com', user: 'okta-provisioning@edgeworks.example' },
      { provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-emulated-okta-workflows-it-1001' },
      { provider: 'github', kind: 'pat', leakedValue: 'github_pat_11AJL2Q0Y0JL2LC4NwEzG8kJ9cj3slNMLkwrvQAhAT35EZ' },
      { provider: 'github', kind: 'pat', id: 'pat:classic:8003' },
    ],
    mode: 'direct',
    severity: 'critical',
    targets: { containWithin: '15m', revokeWithin: '5m', expectCutOff: [{ match: 'pat:classic:8003', reason: GITHUB_PAT_CUT_OFF }] },
  },
];

export const SHIPPED_DRILLS: ReadonlyMap<string, DrillDefinition> = new Map(definitions.map((d) => [d.name!, DrillDefinition.parse(d)]));

/**
 * Drills of the drift watch (docs/drift-watch.md, "Drill"): an attack story played into a shipped scenario's
 * audit log; the watch must flag it with the expected reasons and open the containment, which the simulated
 * approvers then see through to contained.
 */
const watchDefinitions: DrillDefinitionInput[] = [
  {
    name: 'watch-salesloft-drift',
    description: 'The drift watch on the Salesloft/Drift attack: the Drift integration’s Salesforce grant used in bulk from DigitalOcean by a script',
    rationale:
      'Two weeks of the Drift sync’s ordinary use (its own user agent, from AWS) then 400 API calls of the same grant from ' +
      'DigitalOcean with python-requests. The watch must call it new infrastructure, say so in words (the hosting ASN, the ' +
      'script’s user agent), and open a staged containment of the Drift grant; approved, it must end contained.',
    mode: 'staged',
    severity: 'critical',
    approveAfter: '0s',
    targets: { containWithin: '15m', revokeWithin: '10m', maxApprovalWait: '5m' },
    watch: {
      scenario: 'salesloft-drift',
      story: 'salesloft-drift',
      provider: 'salesforce',
      tokenKey: '005Hs000003DrftAAA:Drift',
      expectTriggers: ['new_infrastructure'],
      expectReasons: ['AS14061', 'python-requests'],
      approve: true,
    },
  },
];

export const WATCH_DRILLS: ReadonlyMap<string, DrillDefinition> = new Map(watchDefinitions.map((d) => [d.name!, DrillDefinition.parse(d)]));

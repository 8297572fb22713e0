// The Slack provider module: everything Cordon knows about a Slack Enterprise Grid org, in one object.
import { defineProvider } from '../manifest.ts';
import { SlackConnectorConfig } from './config.ts';
import { createSlackConnector, SLACK_BLIND_SPOTS, SLACK_CANNOT, SlackConnector } from './connector.ts';
import { parseCredentialId } from './credential-ids.ts';
import { SlackEnv } from './env.ts';
import { checkSlack } from './preflight.ts';

export const slackProvider = defineProvider({
  provider: 'slack',
  title: 'the Slack connector',
  env: SlackEnv,
  configuredBy: 'CORDON_SLACK_ADMIN_TOKEN',
  create: (env) => createSlackConnector(SlackConnectorConfig.fromEnv(env)),
  preflight: checkSlack,
  credentialIds: { format: 'token:<team>:<app>:<bot|user>:<fingerprint>, app:<team or enterprise>:<app> or session:<team>:<session id>', parse: parseCredentialId },
  connector: SlackConnector.prototype,
  cannot: SLACK_CANNOT,
  blindSpots: SLACK_BLIND_SPOTS,
});

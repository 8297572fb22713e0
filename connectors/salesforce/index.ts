// The Salesforce provider module: everything Cordon knows about a Salesforce org, in one object.
import { defineProvider } from '../manifest.ts';
import { SalesforceConnectorConfig } from './config.ts';
import { createSalesforceConnector, SALESFORCE_BLIND_SPOTS, SALESFORCE_CANNOT, SalesforceConnector } from './connector.ts';
import { SalesforceEnv } from './env.ts';
import { CREDENTIAL_ID_FORMAT, parseCredentialId } from './ids.ts';
import { checkSalesforce } from './preflight.ts';

export const salesforceProvider = defineProvider({
  provider: 'salesforce',
  title: 'the Salesforce connector',
  env: SalesforceEnv,
  configuredBy: 'CORDON_SALESFORCE_LOGIN_URL',
  create: (env) => createSalesforceConnector(SalesforceConnectorConfig.fromEnv(env)),
  preflight: checkSalesforce,
  credentialIds: { format: CREDENTIAL_ID_FORMAT, parse: parseCredentialId },
  connector: SalesforceConnector.prototype,
  cannot: SALESFORCE_CANNOT,
  blindSpots: SALESFORCE_BLIND_SPOTS,
});

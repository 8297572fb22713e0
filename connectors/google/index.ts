// The Google provider module: everything Cordon knows about Google Workspace and Cloud IAM, in one object.
import { defineProvider } from '../manifest.ts';
import { GoogleConnectorConfig } from './config.ts';
import { createGoogleConnector, GOOGLE_BLIND_SPOTS, GOOGLE_CANNOT, GoogleConnector } from './connector.ts';
import { GoogleEnv } from './env.ts';
import { parseCredentialId } from './ids.ts';
import { checkGoogle } from './preflight.ts';

export const googleProvider = defineProvider({
  provider: 'google',
  title: 'the Google connector',
  env: GoogleEnv,
  configuredBy: 'CORDON_GOOGLE_CREDENTIALS_JSON',
  create: (env) => createGoogleConnector(GoogleConnectorConfig.fromEnv(env)),
  preflight: checkGoogle,
  credentialIds: {
    format: 'users/<email>/tokens/<client id>, users/<email>/asps/<code id>, users/<email>/sessions or projects/<project>/serviceAccounts/<email>/keys/<key id>',
    parse: parseCredentialId,
  },
  connector: GoogleConnector.prototype,
  cannot: GOOGLE_CANNOT,
  blindSpots: GOOGLE_BLIND_SPOTS,
});

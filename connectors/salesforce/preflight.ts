// `cordon doctor` for Salesforce: does the JWT bearer login work, and can the user read UserLogin? Read-only.
import { Connection } from 'jsforce';
import { checkFailure as message, type PreflightCheck } from '../manifest.ts';
import { SalesforceConnectorConfig } from './config.ts';
import { JWT_BEARER_GRANT, signJwtBearerAssertion } from './jwt-assertion.ts';

export async function checkSalesforce(env: Record<string, string | undefined>): Promise<PreflightCheck[]> {
  const config = SalesforceConnectorConfig.fromEnv(env);
  const assertion = signJwtBearerAssertion({ clientId: config.clientId, username: config.username, audience: config.audience ?? config.loginUrl, privateKey: config.privateKey });
  const res = await fetch(`${config.loginUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; instance_url?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token || !body.instance_url) {
    return [{ provider: 'salesforce', check: 'jwt login', ok: false, detail: `${res.status} ${body.error ?? ''}: ${body.error_description ?? ''}`, fix: `pre-authorize ${config.username} on the connected app (Manage → Profiles/Permission Sets) and upload the certificate of CORDON_SALESFORCE_PRIVATE_KEY` }];
  }
  const conn = new Connection({ instanceUrl: body.instance_url, accessToken: body.access_token, version: config.apiVersion });
  try {
    await conn.query('SELECT Id FROM UserLogin LIMIT 1');
    return [{ provider: 'salesforce', check: 'jwt login', ok: true, detail: `logged in as ${config.username}; UserLogin readable (Manage Users)` }];
  } catch (err) {
    return [{ provider: 'salesforce', check: 'permissions', ok: false, detail: message(err), fix: `give ${config.username} the Manage Users permission (needed to freeze users and see every user's OAuth grants)` }];
  }
}

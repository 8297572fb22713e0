// `cordon doctor` for Google: can Cordon impersonate its admin and read the Directory, and list the
// service accounts of each configured project? Read-only.
import { directoryApi, iamApi } from './apis.ts';
import { checkFailure as message, type PreflightCheck } from '../manifest.ts';
import { cordonClients } from './auth.ts';
import { GoogleConnectorConfig } from './config.ts';

export async function checkGoogle(env: Record<string, string | undefined>): Promise<PreflightCheck[]> {
  const config = GoogleConnectorConfig.fromEnv(env);
  const { admin, cloud } = cordonClients(config);
  const out: PreflightCheck[] = [];
  const rootUrl = config.rootUrl;
  try {
    const directory = directoryApi({ auth: admin as never, rootUrl: rootUrl ?? 'https://admin.googleapis.com/' });
    const me = await directory.users.get({ userKey: config.subject }, { retry: false });
    out.push({ provider: 'google', check: 'directory', ok: me.data.isAdmin === true, detail: `impersonating ${config.subject}${me.data.isAdmin ? ' (super admin)' : ' — not a super admin'}`, ...(me.data.isAdmin ? {} : { fix: `make ${config.subject} a super admin, or set CORDON_GOOGLE_SUBJECT to one` }) });
  } catch (err) {
    out.push({ provider: 'google', check: 'directory', ok: false, detail: message(err), fix: `in the Admin console (Security → API controls → Domain-wide delegation) grant client id ${config.credentials.client_id} the Directory and Reports scopes Cordon uses (connectors/google/auth.ts ADMIN_SCOPES)` });
  }
  for (const project of config.projects) {
    try {
      const iam = iamApi({ auth: cloud as never, rootUrl: rootUrl ?? 'https://iam.googleapis.com/' });
      const r = await iam.projects.serviceAccounts.list({ name: `projects/${project}`, pageSize: 1 }, { retry: false });
      out.push({ provider: 'google', check: `iam:${project}`, ok: true, detail: `service accounts of ${project} readable (${r.data.accounts?.length ?? 0} on the first page)` });
    } catch (err) {
      out.push({ provider: 'google', check: `iam:${project}`, ok: false, detail: message(err), fix: `grant ${config.credentials.client_email} roles/iam.serviceAccountKeyAdmin on project ${project}` });
    }
  }
  return out;
}

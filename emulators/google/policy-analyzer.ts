// Policy Analyzer activities.query for `serviceAccountKeyLastAuthentication`: when each service-account key last
// authenticated (Policy Intelligence docs: "View recent usage for service accounts and keys"). It is the one Google
// API that says which key a caller signed with, so it is how a rotation sees a consumer switch keys. The real answer
// lags (the observation period ends at 07:00Z daily); the emulator answers from the key's last token exchange.
import type { Router } from '../core/http.ts';
import { isResponse, requireCloudToken } from './oauth.ts';
import type { GoogleState } from './state.ts';
import { iamError } from './wire.ts';

const ACTIVITY_TYPE = 'serviceAccountKeyLastAuthentication';
const FILTER = /^activities\.(?:full_resource_name|fullResourceName)\s*=\s*"?([^"]+)"?$/;

export function addPolicyAnalyzerRoutes(router: Router, state: GoogleState): void {
  router.add('GET', `/v1/projects/:project/locations/:location/activityTypes/:type/activities\\:query`, 'policyanalyzer.activities.query', (req, call) => {
    const token = requireCloudToken(state, req, call);
    if (isResponse(token)) return token;
    const project = state.projects.get(req.params.project ?? '') ?? [...state.projects.values()].find((p) => p.projectNumber === req.params.project);
    call.target = `projects/${req.params.project ?? ''}`;
    if (!project || !project.iamAdmins.includes(token.principal))
      return iamError(403, 'PERMISSION_DENIED', `Permission 'policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query' denied on resource 'projects/${req.params.project ?? ''}'.`);
    if (req.params.type !== ACTIVITY_TYPE || req.params.location !== 'global')
      return iamError(400, 'INVALID_ARGUMENT', `The emulator answers only locations/global/activityTypes/${ACTIVITY_TYPE}.`);
    const filter = req.query.get('filter');
    const wanted = filter ? FILTER.exec(filter.trim())?.[1] : undefined;
    if (filter && !wanted) return iamError(400, 'INVALID_ARGUMENT', `Invalid filter: ${filter}`);
    const activities = [...state.keys.entries()]
      .filter(([, k]) => k.lastUsedAt && state.accounts.get(k.serviceAccount)?.projectId === project.projectId)
      .map(([name, k]) => ({ name, k, full: `//iam.googleapis.com/${name}` }))
      .filter((a) => !wanted || a.full === wanted)
      .map(({ k, full }) => {
        const account = state.accounts.get(k.serviceAccount)!;
        return {
          fullResourceName: full,
          activityType: ACTIVITY_TYPE,
          activity: {
            lastAuthenticatedTime: k.lastUsedAt!,
            serviceAccountKey: { serviceAccountId: account.uniqueId, projectNumber: project.projectNumber, fullResourceName: full },
          },
        };
      });
    return { status: 200, body: { activities } };
  });
}

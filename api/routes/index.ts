// Every route of the API, in the order the OpenAPI document lists them. A route missing here is
// neither served nor documented (api/openapi.test.ts checks the two agree).
import type { ApiRoute } from '../route.ts';
import { cancelContainmentRoute } from './cancel-containment.ts';
import { decideApprovalRoute } from './decide-approval.ts';
import { getContainmentRoute } from './get-containment.ts';
import { getEvidenceRoute } from './get-evidence.ts';
import { listContainmentsRoute } from './list-containments.ts';
import { openApiDocumentRoute } from './openapi-document.ts';
import { retryContainmentRoute } from './retry-containment.ts';
import { startContainmentRoute } from './start-containment.ts';
import { getMassContainmentRoute } from './get-mass-containment.ts';
import { getDryRunPlansRoute } from './get-dry-run-plans.ts';
import { startMassContainmentRoute } from './start-mass-containment.ts';
import { listVerdictsRoute } from './list-verdicts.ts';
import { startRotationRoute } from './start-rotation.ts';
import { listUnrotatedRoute } from './list-unrotated.ts';

export const apiRoutes: readonly ApiRoute[] = [
  startContainmentRoute,
  listContainmentsRoute,
  getContainmentRoute,
  decideApprovalRoute,
  cancelContainmentRoute,
  retryContainmentRoute,
  getEvidenceRoute,
  startMassContainmentRoute,
  getMassContainmentRoute,
  getDryRunPlansRoute,
  listVerdictsRoute,
  startRotationRoute,
  listUnrotatedRoute,
  openApiDocumentRoute,
];

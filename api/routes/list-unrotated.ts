// GET /v1/rotations/unrotated: the "unrotated since incident X" flag (docs/rotation.md), the same function as
// `cordon rotate unrotated`: every live credential that shares a principal or an app with a past containment and
// was created before it. Each flagged credential is rotated with POST /v1/rotations.
import { findUnrotated } from '../../client/unrotated.ts';
import { UnrotatedList, UnrotatedQuery } from '../../schemas/rotation.ts';
import { defineRoute } from '../route.ts';

export const listUnrotatedRoute = defineRoute({
  method: 'GET',
  url: '/v1/rotations/unrotated',
  operationId: 'listUnrotated',
  summary: 'Credentials left unrotated since a past incident',
  description:
    'Reads the past containments from Cordon’s history (each finished containment and the principals and apps it touched), lists every provider they ' +
    'concern, and returns each live credential that shares a principal or an app (OAuth client id) with one of them and was created before it started. ' +
    'A related credential with no creation time on record is listed apart, in `unknownAge`. Rotate a flagged credential with `POST /v1/rotations` ' +
    '(`credentialId` is `<provider>:<credential.id>`). `provider` keeps one provider\'s credentials. The answer takes one inventory of the providers ' +
    'the incidents concern, so it can take seconds.',
  scope: 'read',
  query: UnrotatedQuery,
  responses: { 200: { description: 'The past incidents and the credentials flagged since them.', schema: UnrotatedList } },
  async handle({ deps, query }) {
    const found = await findUnrotated(deps.client, deps.taskQueue);
    const kept = (credentialId: string) => !query.provider || credentialId.startsWith(`${query.provider}:`);
    const body = { incidents: found.incidents, flags: found.flags.filter((f) => !query.provider || f.credential.provider === query.provider), unknownAge: found.unknownAge.filter((u) => kept(u.credentialId)) };
    return { status: 200, body: body satisfies UnrotatedList };
  },
});

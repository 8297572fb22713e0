// GET /v1/verdicts: the drift watch's open verdicts, with their reasons and the containment each opened. Read
// from the watch's store, so it answers only on a machine that holds it (CORDON_WATCH_DB).
import { VerdictList, VerdictQuery } from '../../schemas/api.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

export const listVerdictsRoute = defineRoute({
  method: 'GET',
  url: '/v1/verdicts',
  operationId: 'listVerdicts',
  summary: 'The drift watch’s open verdicts',
  description:
    'Each open verdict: the token, its score and severity, the trigger categories, the reasons in words with the ' +
    'events behind them, the recommended action, and the containment the watch opened for it (readable at ' +
    'GET /v1/containments/{id}). 404 when this API does not hold the watch store (CORDON_WATCH_DB).',
  scope: 'read',
  query: VerdictQuery,
  responses: { 200: { description: 'The open verdicts, highest score first.', schema: VerdictList } },
  async handle({ deps, query }) {
    if (!deps.verdicts) throw new ApiError(404, 'not_found', 'the drift watch store is not on this API: set CORDON_WATCH_DB to the store of the worker that runs the watch');
    const verdicts = deps
      .verdicts()
      .filter((v) => (!query.provider || v.provider === query.provider) && v.score >= query.min_score)
      .sort((a, b) => b.score - a.score);
    return { status: 200, body: { verdicts } satisfies VerdictList };
  },
});

// The modules every workflow run shares. The worker's bundle preloads this file (`preloadModules`,
// worker/worker.ts): what it imports is evaluated once per worker thread and frozen, instead of once
// per run on its first workflow task. That is zod and every schema the workflows and the payload
// converter use — the bulk of a run's start-up cost (docs/architecture.md, "One bundle, shared schemas").
// Only pure modules belong here: no state a run could change, nothing from @temporalio/workflow.
// A schema module missing from this list still works, evaluated per run; test/shared-modules.test.ts
// says which ones are.
import * as canonicalJson from '../schemas/canonical-json.ts';
import * as containment from '../schemas/containment.ts';
import * as containmentEnums from '../schemas/containment-enums.ts';
import * as credential from '../schemas/credential.ts';
import * as envelope from '../schemas/envelope.ts';
import * as evidence from '../schemas/evidence.ts';
import * as evidenceChain from '../schemas/evidence-chain.ts';
import * as evidenceDelivery from '../schemas/evidence-delivery.ts';
import * as failureTypes from '../schemas/failure-types.ts';
import * as mass from '../schemas/mass.ts';
import * as registry from '../schemas/registry.ts';
import * as rotation from '../schemas/rotation.ts';
import * as sweep from '../schemas/sweep.ts';
import * as tokenUse from '../schemas/token-use.ts';
import * as undecodable from '../schemas/undecodable.ts';
import * as verdict from '../schemas/verdict.ts';
import * as watch from '../schemas/watch.ts';
import { settleSchemasForSharing } from '../schemas/shareable.ts';
import { installWorkflowStackFormatter } from './stack-traces.ts';

export const SHARED_SCHEMA_MODULES = [
  canonicalJson,
  containment,
  containmentEnums,
  credential,
  envelope,
  evidence,
  evidenceChain,
  evidenceDelivery,
  failureTypes,
  mass,
  registry,
  rotation,
  sweep,
  tokenUse,
  undecodable,
  verdict,
  watch,
];

// Before the SDK freezes them: a frozen schema cannot store the members zod fills in on first use.
settleSchemasForSharing(SHARED_SCHEMA_MODULES.flatMap((module) => Object.values(module)));

// Before the SDK freezes the sandbox's Error: stack traces without the per-promise source-map cost (stack-traces.ts).
installWorkflowStackFormatter();

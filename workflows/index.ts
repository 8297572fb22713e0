// The workflow bundle's entry point: every workflow type the worker registers.
export { containCredential } from './contain-credential.ts';
export { deliverEvidence } from './deliver-evidence.ts';
export { hygieneSweep, persistenceSweep } from './hygiene-sweep.ts';
export { massContainment } from './mass-containment.ts';
export { replacementRegistry } from './replacement-registry.ts';
export { driftWatch } from './drift-watch.ts';
export { settleDriftContainment } from './settle-drift-containment.ts';
export { rotationRun } from './rotation-run.ts';
export { rotateCredential } from './rotate-credential.ts';

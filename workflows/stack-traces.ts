// Stack traces inside the workflow sandbox, cheaply. The Temporal SDK's promise hook (for its stack-trace
// query) builds an Error and reads its stack on every promise a workflow creates, and the SDK's stack
// formatter looks each frame up in the bundle's source map: about a third of a worker thread's CPU per
// containment (docs/performance.md, "Worker CPU per run"; sdk-typescript issue 1587). V8 asks the error's own realm for
// `Error.prepareStackTrace` before the thread's, so the sandbox's formatter below is used instead:
//   - the hook's own stacks (their first frame is the SDK's vm-shared.js) format to nothing, so the hook
//     keeps nothing: the stack-trace query (`temporal workflow stack`, the UI's "Stack Trace") answers empty;
//   - every other error (a workflow failure, a bug in workflow code) keeps its frames, at their places in the
//     bundle rather than mapped back to the source files.
// Set by the preloaded shared modules (shared-modules.ts), before the SDK freezes the sandbox's globals.

interface Frame {
  getFileName(): string | null | undefined;
  toString(): string;
}

/** The sandbox's `Error.prepareStackTrace`. */
export function formatWorkflowStack(err: Error, frames: readonly Frame[]): string {
  const first = frames[0]?.getFileName();
  if (first && /[\\/]@temporalio[\\/]worker[\\/]lib[\\/]workflow[\\/]vm-shared\.js$/.test(first)) return '';
  let out = String(err);
  for (const f of frames) out += `\n    at ${String(f)}`;
  return out;
}

export function installWorkflowStackFormatter(): void {
  (Error as unknown as { prepareStackTrace?: unknown }).prepareStackTrace = formatWorkflowStack;
}

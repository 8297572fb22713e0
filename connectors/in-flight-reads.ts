// Identical reads made at the same time share one provider call. A mass containment identifies an owner's
// keys side by side in one activity (identifyScopes): five keys of one service account read the account five
// times, five deploy keys of one repository list its keys five times. Nothing is kept once the call settles,
// so a read never answers from before a write it started after: only identification uses this (the first
// step of a run, before any of its writes), never a verification or a write's own re-read.

/** Reads by key: a read of a key already in flight joins it; settled ones are forgotten at once. */
export class InFlightReads<V> {
  readonly #inFlight = new Map<string, Promise<V>>();

  read(key: string, call: () => Promise<V>): Promise<V> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const started = call().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  /** Reads in flight now (for tests). */
  get size(): number {
    return this.#inFlight.size;
  }
}

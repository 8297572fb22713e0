// A value that must never be printed: leaked credentials, replacements, signing keys (design.md I5).
// It prints as [redacted] through String(), JSON, util.inspect and template literals; only
// `reveal()` gives the value, and only a connector or a sink should call it.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [INSPECT](): string {
    return '[redacted]';
  }
}

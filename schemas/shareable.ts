// Making zod schemas safe to share between workflow runs. The worker evaluates the workflow bundle's
// preloaded modules once per V8 context and deep-freezes what they export (the SDK's reusable context;
// docs/architecture.md, "One bundle, shared schemas"). A zod v4 schema is not built to be frozen:
// - it fills in part of itself on first use: a method is bound and stored on the instance the first
//   time it is read (`schema.safeParse`), an object's `shape` is stored on first read;
// - its internals (`_zod`) change as it parses: a container's first parse replaces its own
//   `_zod.parse`, derived internals (`optin`, `propValues`, `pattern`) are computed and stored on first
//   read, and a string format check resets its RegExp's `lastIndex` on every parse.
// On a frozen object each of these throws a TypeError. So each schema is settled before the freeze:
// every member it inherits as a getter is read once (which stores it while the schema can still take
// it), then the schema itself is frozen, shallowly. The SDK's freeze stops at an object that is
// already frozen, so it leaves `_zod` alone: a run cannot change a shared schema, and zod can keep
// its internal caches, which depend only on the schema, never on a run (so replay sees the same).

/** Settles every zod schema `roots` reach (own properties, recursively); returns how many. */
export function settleSchemasForSharing(roots: Iterable<unknown>): number {
  const seen = new WeakSet<object>();
  const pending: unknown[] = [...roots];
  let schemas = 0;
  while (pending.length > 0) {
    const value = pending.pop();
    // Objects only, as the SDK's freeze: a function's `prototype` leads to zod's shared prototypes,
    // whose getters must not run with the prototype as the instance.
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    const schema = isZodSchema(value);
    if (schema) readLazyMembers(value);
    // After the reads, so what they stored (a bound method, a shape) is walked as well.
    for (const key of Reflect.ownKeys(value)) pending.push(readQuietly(value, key));
    if (schema) {
      Object.freeze(value);
      schemas++;
    }
  }
  return schemas;
}

function isZodSchema(value: object): value is { _zod: object } {
  const internals = (value as { _zod?: unknown })._zod;
  return typeof internals === 'object' && internals !== null && 'def' in internals;
}

/** Reads every accessor `target` inherits from its prototypes (not Object's or Function's own), storing whatever the getter stores. */
function readLazyMembers(target: object): void {
  for (let proto = Object.getPrototypeOf(target) as object | null; proto && proto !== Object.prototype && proto !== Function.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Reflect.ownKeys(proto)) {
      if (Object.prototype.hasOwnProperty.call(target, key)) continue;
      if (Object.getOwnPropertyDescriptor(proto, key)?.get) readQuietly(target, key);
    }
  }
}

/** A getter that throws stores nothing; its use then fails as it would have anyway. */
function readQuietly(target: object, key: PropertyKey): unknown {
  try {
    return (target as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

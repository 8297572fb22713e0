import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { settleSchemasForSharing } from './shareable.ts';

/** What the Temporal worker does to a preloaded module's exports (@temporalio/worker, reusable-vm.js): freeze every own property, recursively. */
export function deepFreezeLikeTheWorker<T>(object: T, visited = new WeakSet<object>()): T {
  if (object === null || (typeof object !== 'object' && typeof object !== 'function') || visited.has(object)) return object;
  visited.add(object);
  if (Object.isFrozen(object)) return object;
  if (typeof object === 'object') {
    for (const name of Reflect.ownKeys(object)) {
      const value = (object as Record<PropertyKey, unknown>)[name];
      try {
        deepFreezeLikeTheWorker(value, visited);
      } catch {
        // As the SDK: some objects (typed arrays) cannot be frozen.
      }
    }
  }
  return Object.freeze(object);
}

const build = () =>
  z.object({
    id: z.string().min(1),
    note: z.string().optional(),
    kind: z.enum(['a', 'b']),
    tags: z.array(z.string()).default([]),
    at: z.iso.datetime(),
  });

describe('settleSchemasForSharing', () => {
  it('is needed: a zod schema frozen before its first use cannot be used', () => {
    const frozen = deepFreezeLikeTheWorker(build());
    expect(() => frozen.safeParse({ id: 'x', kind: 'a', at: '2026-01-01T00:00:00Z' })).toThrow(TypeError);
  });

  it('fills in the lazy members, so the frozen schema parses and refuses as an unfrozen one does', () => {
    const plain = build();
    const schema = build();
    expect(settleSchemasForSharing([{ schema }])).toBeGreaterThanOrEqual(6);
    deepFreezeLikeTheWorker(schema);
    const good = { id: 'x', kind: 'a', at: '2026-01-01T00:00:00Z' };
    expect(schema.parse(good)).toEqual({ id: 'x', kind: 'a', tags: [], at: '2026-01-01T00:00:00Z' });
    for (const bad of [{ ...good, id: '' }, { ...good, kind: 'c' }, { ...good, at: 'yesterday' }, undefined, 'x', []]) {
      const got = schema.safeParse(bad);
      expect(got.success).toBe(false);
      expect(got.error?.issues).toEqual(plain.safeParse(bad).error?.issues);
    }
    expect(schema.shape.note.safeParse(undefined).success).toBe(true);
  });
});

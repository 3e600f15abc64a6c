import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDeeperThan } from './json-depth.js';

/** The nesting depth of a parsed value, computed on the value (not the text). */
function depthOf(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (v && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}

describe('jsonDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(jsonDeeperThan('1', 0)).toBe(false);
    expect(jsonDeeperThan('[]', 0)).toBe(true);
    expect(jsonDeeperThan('[[1]]', 2)).toBe(false);
    expect(jsonDeeperThan('[[1]]', 1)).toBe(true);
    expect(jsonDeeperThan('{"a":"[[[[[{{{{"}', 1)).toBe(false);
    expect(jsonDeeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(jsonDeeperThan('{"a\\\\":[{"b":1}]}', 2)).toBe(true);
    expect(jsonDeeperThan('['.repeat(5000) + ']'.repeat(5000), 100)).toBe(true);
  });

  it('agrees with the depth of the parsed value for any JSON', () => {
    const deep = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'large', withCrossShrink: true }, fc.jsonValue({ maxDepth: 2 }), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 })),
    })).value;
    fc.assert(
      fc.property(deep, fc.integer({ min: 0, max: 12 }), (v, limit) => {
        const text = JSON.stringify(v);
        expect(jsonDeeperThan(text, limit)).toBe(depthOf(JSON.parse(text)) > limit);
      }),
      { numRuns: 500 },
    );
  });
});

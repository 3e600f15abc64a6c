import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDeeperThan, replaceNul } from './json-depth.js';

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

/** A value with every NUL in its strings and keys replaced by U+FFFD, built on the value (not the text). */
function withoutNul(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll('\u0000', '\ufffd');
  if (Array.isArray(v)) return v.map(withoutNul);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [withoutNul(k), withoutNul(x)]));
  return v;
}

describe('replaceNul', () => {
  it('replaces the escape of NUL, not a backslash followed by the letters u0000', () => {
    expect(JSON.parse(replaceNul('"a\\u0000b"'))).toBe('a\ufffdb');
    expect(JSON.parse(replaceNul('"a\\\\u0000b"'))).toBe('a\\u0000b');
    expect(JSON.parse(replaceNul('"a\\\\\\u0000b"'))).toBe('a\\\ufffdb');
    expect(JSON.parse(replaceNul('{"k\\u0000":"\\u0000"}'))).toEqual({ 'k\ufffd': '\ufffd' });
    expect(replaceNul('{"a":1}')).toBe('{"a":1}');
  });

  it('for any JSON: the same value with NUL replaced in every string and key', () => {
    const text = fc.array(fc.constantFrom('a', '\u0000', '\\', 'u0000', '"', '\ufffd'), { maxLength: 8 }).map((xs) => xs.join(''));
    const value = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), text, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(text, tie('value'), { maxKeys: 3 })),
    })).value;
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        // Compared with the value as JSON carries it (-0 is written as 0).
        expect(JSON.parse(replaceNul(text))).toEqual(withoutNul(JSON.parse(text)));
      }),
    );
  });
});

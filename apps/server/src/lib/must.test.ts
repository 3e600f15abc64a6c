import { describe, expect, it } from 'vitest';
import { must } from './must.js';

describe('must', () => {
  it('returns a value that is there, including falsy ones', () => {
    expect(must(0)).toBe(0);
    expect(must('')).toBe('');
    expect(must(false)).toBe(false);
    expect(must({ a: 1 })).toEqual({ a: 1 });
  });
  it('throws naming what was missing', () => {
    expect(() => must(undefined, 'the incident row')).toThrow('expected the incident row, found undefined');
    expect(() => must(null)).toThrow('expected value, found null');
  });
});

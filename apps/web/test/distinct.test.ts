import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distinctParts } from '../src/incidents/distinct.ts';

describe('distinctParts: what tells look-alike titles apart', () => {
  it('twenty titles differing in the host: each row gets its host', () => {
    const items = Array.from({ length: 20 }, (_, k) => ({ id: `i${k}`, title: `Disk usage above 90% on web-${k}.prod in eu-west-1` }));
    const d = distinctParts(items);
    expect(d.size).toBe(20);
    expect(d.get('i7')).toBe('web-7.prod');
  });

  it('fewer than three alike, unlike titles, identical titles: nothing', () => {
    expect(
      distinctParts([
        { id: 'a', title: 'CPU high on web-1' },
        { id: 'b', title: 'CPU high on web-2' },
      ]).size,
    ).toBe(0);
    expect(
      distinctParts([
        { id: 'a', title: 'Queue depth growing' },
        { id: 'b', title: 'Payments DB down' },
        { id: 'c', title: 'Login errors spike' },
      ]).size,
    ).toBe(0);
    expect(distinctParts([1, 2, 3].map((k) => ({ id: `x${k}`, title: 'Same title here' }))).size).toBe(0);
  });

  it('for any storm with one varying word, that word is what is shown; never a word all share', () => {
    const word = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 4, maxLength: 8 }), fc.uniqueArray(word, { minLength: 3, maxLength: 20 }), fc.nat(), (base, vary, at) => {
        const pos = at % base.length;
        const items = vary.map((v, k) => ({ id: `i${k}`, title: base.map((w, j) => (j === pos ? v : w)).join(' ') }));
        const d = distinctParts(items);
        for (const [k, v] of vary.entries()) expect(d.get(`i${k}`)).toBe(v);
      }),
    );
  });

  it('any input: every shown part is made of words of its own title', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.uuid(), title: fc.string({ maxLength: 60 }) }), { maxLength: 40 }), (items) => {
        const d = distinctParts(items);
        for (const i of items) {
          const part = d.get(i.id);
          if (part === undefined) continue;
          const words = i.title.trim().split(/\s+/);
          for (const w of part.split(' ')) expect(words).toContain(w);
        }
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { moveBy, removeAt, replaceAt } from '../src/lib/ordered-list.ts';

describe('ordered-list editing (policy levels, schedule layers)', () => {
  it('moves an item up or down one place, and leaves the list as it is at either end', () => {
    expect(moveBy(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveBy(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    expect(moveBy(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveBy(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('replaces and removes item i only', () => {
    expect(replaceAt(['a', 'b', 'c'], 1, 'x')).toEqual(['a', 'x', 'c']);
    expect(removeAt(['a', 'b', 'c'], 1)).toEqual(['a', 'c']);
  });

  it('never loses, adds or changes items, and never edits the list it is given (every list up to 6 items, every index and step)', () => {
    for (let n = 0; n <= 6; n++) {
      const list = Array.from({ length: n }, (_, k) => k * 10);
      for (let i = 0; i <= n; i++) {
        for (let by = -3; by <= 3; by++) {
          const copy = [...list];
          const moved = moveBy(list, i, by);
          expect(list).toEqual(copy);
          expect([...moved].sort((a, b) => a - b)).toEqual(list);
          if (i < n && i + by >= 0 && i + by < n) {
            expect(moved[i + by]).toBe(list[i]);
            expect(moveBy(moved, i + by, -by)).toEqual(list);
          } else expect(moved).toEqual(list);
        }
        expect(removeAt(list, i)).toEqual(list.filter((x) => x !== i * 10));
        expect(replaceAt(list, i, -1)).toEqual(list.map((x) => (x === i * 10 ? -1 : x)));
        expect(list).toEqual(Array.from({ length: n }, (_, k) => k * 10));
      }
    }
  });
});

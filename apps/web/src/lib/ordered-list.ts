import { useMemo, type Dispatch, type SetStateAction } from 'react';

/** The list with item `i` replaced by `item`. */
export function replaceAt<T>(list: readonly T[], i: number, item: T): T[] {
  return list.map((x, j) => (j === i ? item : x));
}

/** The list with item `i` moved `by` places (-1: up one, 1: down one); out of range, the list unchanged. */
export function moveBy<T>(list: readonly T[], i: number, by: number): T[] {
  const to = i + by;
  if (i < 0 || i >= list.length || to < 0 || to >= list.length) return [...list];
  const out = list.filter((_, j) => j !== i);
  out.splice(to, 0, ...list.slice(i, i + 1));
  return out;
}

/** The list without item `i`. */
export function removeAt<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, j) => j !== i);
}

type ItemOf<D, K extends keyof D> = D[K] extends readonly (infer T)[] ? T : never;

/**
 * Editing an ordered list held in a draft's field (policy levels, schedule layers): replace, move
 * up or down, remove item i, each as one state update.
 */
export function useOrderedList<D, K extends keyof D>(setDraft: Dispatch<SetStateAction<D>>, field: K) {
  return useMemo(() => {
    const edit = (f: (list: readonly ItemOf<D, K>[]) => ItemOf<D, K>[]) => setDraft((d) => ({ ...d, [field]: f(d[field] as readonly ItemOf<D, K>[]) }));
    return {
      set: (i: number, item: ItemOf<D, K>) => edit((l) => replaceAt(l, i, item)),
      move: (i: number, by: number) => edit((l) => moveBy(l, i, by)),
      remove: (i: number) => edit((l) => removeAt(l, i)),
    };
  }, [setDraft, field]);
}

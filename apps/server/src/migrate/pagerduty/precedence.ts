import { must } from '../../lib/must.js';
/*
 * Which way round a schedule's layers win. PagerDuty's GET has long listed schedule_layers in the
 * reverse of the order PUT takes (the layer that wins first), with a fix announced as rolling out
 * since 2023, so the order of the answer alone cannot be trusted. The schedule's rendered
 * final_schedule can: where layers overlap, the final entry shows which one won. This compares the
 * final schedule with what each order would give, from each layer's rendered entries and the
 * overrides.
 */

export interface RenderedEntry {
  start: number;
  end: number;
  user: string;
}

export type OrderVerdict =
  /** The final schedule matches the answer's order taken as PUT order (the last layer wins). */
  | 'as-listed'
  /** It matches only the reverse: the answer listed the winning layer first. */
  | 'reversed'
  /** Both orders give the same final schedule in the window (no overlap decides it). */
  | 'undecided'
  /** Neither order gives the final schedule. */
  | 'neither';

function userAt(entries: readonly RenderedEntry[], t: number): string | null {
  for (const e of entries) if (e.start <= t && t < e.end) return e.user;
  return null;
}

/** Milliseconds of [from, to) where the layers in `order` (last wins) and the overrides disagree with the final schedule. */
export function mismatch(layers: readonly (readonly RenderedEntry[])[], overrides: readonly RenderedEntry[], final: readonly RenderedEntry[], from: number, to: number): number {
  const cuts = new Set<number>([from, to]);
  for (const list of [...layers, overrides, final]) for (const e of list) for (const c of [e.start, e.end]) if (c > from && c < to) cuts.add(c);
  const points = [...cuts].sort((a, b) => a - b);
  let bad = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const t = must(points[i], 'points[i]');
    let predicted = userAt(overrides, t);
    for (let k = layers.length - 1; predicted === null && k >= 0; k--) predicted = userAt(must(layers[k], 'layers[k]'), t);
    if (predicted !== userAt(final, t)) bad += must(points[i + 1], 'points[i + 1]') - t;
  }
  return bad;
}

/**
 * The verdict for layers as the answer listed them (each with its rendered entries), and the order
 * to import them in (indexes into the listed layers, lowest precedence first).
 */
export function confirmOrder(
  listed: readonly (readonly RenderedEntry[])[],
  overrides: readonly RenderedEntry[],
  final: readonly RenderedEntry[],
  from: number,
  to: number,
): { verdict: OrderVerdict; order: number[]; mismatchMs: { asListed: number; reversed: number } } {
  const asListed = listed.map((_, i) => i);
  const reversed = [...asListed].reverse();
  const a = mismatch(
    asListed.map((i) => must(listed[i], 'listed[i]')),
    overrides,
    final,
    from,
    to,
  );
  const b = mismatch(
    reversed.map((i) => must(listed[i], 'listed[i]')),
    overrides,
    final,
    from,
    to,
  );
  const mismatchMs = { asListed: a, reversed: b };
  if (a === 0 && b === 0) return { verdict: 'undecided', order: asListed, mismatchMs };
  if (a === 0) return { verdict: 'as-listed', order: asListed, mismatchMs };
  if (b === 0) return { verdict: 'reversed', order: reversed, mismatchMs };
  return { verdict: 'neither', order: b < a ? reversed : asListed, mismatchMs };
}

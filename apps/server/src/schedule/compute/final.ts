import type { Handoff, OnCall, ScheduleSpec, Shift, ShiftSource, TimeRange } from './types.js';
import { compileLayer, compiledLayerShifts, sameIds } from './layer.js';
import { DAY_MS } from './zone.js';
import { must } from '../../lib/must.js';

function sameSource(a: ShiftSource, b: ShiftSource): boolean {
  if (a === b) return true;
  if (a.kind === 'layer') return b.kind === 'layer' && a.layerIndex === b.layerIndex && sameIndexes(a.layerIndexes ?? [], b.layerIndexes ?? []);
  return b.kind === 'override' && a.overrideId === b.overrideId;
}

function sameIndexes(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Every source of shifts in range, highest precedence first, as groups: overrides (later in the list
 * first, one per group), then layers by priority (higher first) and list position (later first). Under
 * precedence layering each layer is its own group; under union layering the layers of one priority
 * form one group, whose people are on call together.
 */
function sourcesByPrecedence(spec: ScheduleSpec, range: TimeRange): Shift[][][] {
  const groups: Shift[][][] = [];
  const overrides = spec.overrides ?? [];
  for (let i = overrides.length - 1; i >= 0; i--) {
    const o = must(overrides[i], 'overrides[i]');
    const start = Math.max(o.start, range.start);
    const end = Math.min(o.end, range.end);
    const userIds = [...new Set(o.userIds)];
    if (end > start && userIds.length) {
      groups.push([[{ start, end, userIds, source: { kind: 'override', overrideId: o.id } }]]);
    }
  }
  const order = spec.layers.map((layer, index) => ({ layer, index })).sort((a, b) => (b.layer.priority ?? 0) - (a.layer.priority ?? 0) || b.index - a.index);
  const leave = spec.leave ?? [];
  const union = spec.layering === 'union';
  let lastPriority: number | undefined;
  for (const { layer, index } of order) {
    const shifts = compiledLayerShifts(compileLayer(layer, spec.timeZone, index), range, leave);
    const priority = layer.priority ?? 0;
    if (union && lastPriority === priority && groups.length) must(groups[groups.length - 1], 'groups[groups.length - 1]').push(shifts);
    else groups.push([shifts]);
    lastPriority = priority;
  }
  return groups.map((g) => g.filter((s) => s.length > 0)).filter((g) => g.length > 0);
}

/** Several layers' shifts covering one span, as one: their people in layer order, without repeats. */
function together(active: Shift[]): Shift {
  const [only] = active;
  if (active.length === 1 && only) return only;
  const sorted = [...active].sort((a, b) => (a.source as { layerIndex: number }).layerIndex - (b.source as { layerIndex: number }).layerIndex);
  const userIds = [...new Set(sorted.flatMap((s) => s.userIds))];
  const indexes = sorted.map((s) => (s.source as { layerIndex: number }).layerIndex);
  const head = must(sorted[0], 'the first active shift');
  const first = head.source as { kind: 'layer'; layerIndex: number; layerName?: string };
  const source: ShiftSource = { kind: 'layer', layerIndex: first.layerIndex, layerIndexes: indexes };
  if (first.layerName !== undefined) source.layerName = first.layerName;
  return { start: head.start, end: head.end, userIds, source };
}

/**
 * The final schedule in `range`: sorted, non-overlapping shifts, adjacent identical ones (same users,
 * same source) merged. At each instant the highest-precedence source with someone wins (under union
 * layering, every layer of the winning priority with someone on call); gaps are absent.
 */
export function finalSchedule(spec: ScheduleSpec, range: TimeRange): Shift[] {
  if (!(range.end > range.start)) return [];
  const groups = sourcesByPrecedence(spec, range);
  if (groups.length === 0) return [];
  const [onlyGroup] = groups;
  if (groups.length === 1 && onlyGroup?.length === 1) return must(onlyGroup[0], 'the one source').map((s) => ({ ...s, userIds: [...s.userIds] }));

  let n = 0;
  for (const g of groups) for (const src of g) n += 2 * src.length;
  const points = new Float64Array(n);
  n = 0;
  for (const g of groups) {
    for (const src of g) {
      for (const s of src) {
        points[n++] = s.start;
        points[n++] = s.end;
      }
    }
  }
  points.sort(); // a typed array sorts by value
  const ptr = groups.map((g) => new Array<number>(g.length).fill(0));
  const out: Shift[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as number;
    const b = points[i + 1] as number;
    if (b <= a) continue;
    let winner: Shift | undefined;
    for (let j = 0; j < groups.length && !winner; j++) {
      // The group's shifts on call at `a`: most groups are one layer, so an array only for several.
      let one: Shift | undefined;
      let active: Shift[] | undefined;
      const g = groups[j] as Shift[][];
      const at = ptr[j] as number[];
      for (let k = 0; k < g.length; k++) {
        const src = g[k] as Shift[];
        let p = at[k] as number;
        while (p < src.length && (src[p] as Shift).end <= a) p++;
        at[k] = p;
        const s = src[p];
        if (!s || s.start > a) continue;
        if (!one) one = s;
        else (active ??= [one]).push(s);
      }
      if (one) winner = active ? together(active) : one;
    }
    if (!winner) continue;
    const last = out[out.length - 1];
    if (last && last.end === a && sameSource(last.source, winner.source) && sameIds(last.userIds, winner.userIds)) {
      last.end = b;
    } else {
      out.push({ start: a, end: b, userIds: [...winner.userIds], source: winner.source });
    }
  }
  return out;
}

/** Who is on call at instant `at` (same answer as finalSchedule), or null in a gap. */
export function onCallAt(spec: ScheduleSpec, at: number): OnCall | null {
  const s = finalSchedule(spec, { start: at, end: at + 1 })[0];
  return s ? { userIds: s.userIds, source: s.source } : null;
}

/** The spans of `range` nobody is on call for, sorted. */
export function gaps(spec: ScheduleSpec, range: TimeRange): TimeRange[] {
  const out: TimeRange[] = [];
  let pos = range.start;
  for (const s of finalSchedule(spec, range)) {
    if (s.start > pos) out.push({ start: pos, end: s.start });
    pos = s.end;
  }
  if (range.end > pos) out.push({ start: pos, end: range.end });
  return out;
}

/** The final-schedule shifts in `range` that include `userId`. */
export function userShifts(spec: ScheduleSpec, userId: string, range: TimeRange): Shift[] {
  return finalSchedule(spec, range).filter((s) => s.userIds.includes(userId));
}

function sameSet(a: OnCall | null, b: OnCall | null): boolean {
  if (!a || !b) return a === b;
  if (a.userIds.length !== b.userIds.length) return false;
  const x = [...a.userIds].sort();
  const y = [...b.userIds].sort();
  return x.every((u, i) => u === y[i]);
}

/**
 * The next `count` times after `from` (exclusive) at which the set of on-call users changes, each
 * with who was on call before and after (null for a gap). Looks at most `horizonMs` ahead.
 */
export function nextHandoffs(spec: ScheduleSpec, from: number, count: number, horizonMs = 2 * 366 * DAY_MS): Handoff[] {
  return onCallAndHandoffs(spec, from, count, horizonMs).handoffs;
}

/**
 * Who is on call at `from` (as onCallAt) and the next `count` hand-offs after it (as nextHandoffs),
 * from the same computation. It renders the final schedule a day at first, then twice as far each
 * time until it has the hand-offs: most rotations hand off within a day or a week, and a day costs a
 * seventh of a week (docs/performance.md, seventh round).
 */
export function onCallAndHandoffs(spec: ScheduleSpec, from: number, count: number, horizonMs = 2 * 366 * DAY_MS): { now: OnCall | null; handoffs: Handoff[] } {
  const out: Handoff[] = [];
  let now: OnCall | null | undefined;
  let cur: OnCall | null = null;
  let pos = from;
  let chunk = DAY_MS;
  const limit = from + horizonMs;
  const change = (at: number, next: OnCall | null): void => {
    if (at > from && out.length < count && !sameSet(cur, next)) out.push({ at, previous: cur, next });
    cur = next;
  };
  while ((now === undefined || out.length < count) && pos < limit) {
    const end = Math.min(pos + chunk, limit);
    for (const s of finalSchedule(spec, { start: pos, end })) {
      // The final schedule is cut at the range's start: a shift on call at `from` starts there.
      if (now === undefined) cur = now = s.start === from ? { userIds: s.userIds, source: s.source } : null;
      if (s.start > pos) change(pos, null);
      change(s.start, { userIds: s.userIds, source: s.source });
      pos = s.end;
    }
    now ??= null;
    if (pos < end) {
      change(pos, null);
      pos = end;
    }
    chunk *= 2;
  }
  return { now: now ?? null, handoffs: out };
}

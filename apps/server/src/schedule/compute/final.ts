import type { Handoff, OnCall, ScheduleSpec, Shift, ShiftSource, TimeRange } from './types.js';
import { compileLayer, compiledLayerShifts, sameIds } from './layer.js';
import { DAY_MS } from './zone.js';

function sameSource(a: ShiftSource, b: ShiftSource): boolean {
  if (a.kind === 'layer') return b.kind === 'layer' && a.layerIndex === b.layerIndex;
  return b.kind === 'override' && a.overrideId === b.overrideId;
}

/**
 * Every source of shifts in range, highest precedence first: overrides (later in the list first),
 * then layers by priority (higher first) and list position (later first).
 */
function sourcesByPrecedence(spec: ScheduleSpec, range: TimeRange): Shift[][] {
  const sources: Shift[][] = [];
  const overrides = spec.overrides ?? [];
  for (let i = overrides.length - 1; i >= 0; i--) {
    const o = overrides[i]!;
    const start = Math.max(o.start, range.start);
    const end = Math.min(o.end, range.end);
    const userIds = [...new Set(o.userIds)];
    if (end > start && userIds.length) {
      sources.push([{ start, end, userIds, source: { kind: 'override', overrideId: o.id } }]);
    }
  }
  const order = spec.layers
    .map((layer, index) => ({ layer, index }))
    .sort((a, b) => (b.layer.priority ?? 0) - (a.layer.priority ?? 0) || b.index - a.index);
  const leave = spec.leave ?? [];
  for (const { layer, index } of order) {
    sources.push(compiledLayerShifts(compileLayer(layer, spec.timeZone, index), range, leave));
  }
  return sources.filter((s) => s.length > 0);
}

/**
 * The final schedule in `range`: sorted, non-overlapping shifts, adjacent identical ones (same users,
 * same source) merged. At each instant the highest-precedence source with someone wins; gaps are absent.
 */
export function finalSchedule(spec: ScheduleSpec, range: TimeRange): Shift[] {
  if (!(range.end > range.start)) return [];
  const sources = sourcesByPrecedence(spec, range);
  if (sources.length === 0) return [];
  if (sources.length === 1) return sources[0]!.map((s) => ({ ...s, userIds: [...s.userIds] }));

  const points: number[] = [];
  for (const src of sources) for (const s of src) points.push(s.start, s.end);
  points.sort((a, b) => a - b);
  const ptr = new Array<number>(sources.length).fill(0);
  const out: Shift[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (b <= a) continue;
    let winner: Shift | undefined;
    for (let j = 0; j < sources.length && !winner; j++) {
      const src = sources[j]!;
      let p = ptr[j]!;
      while (p < src.length && src[p]!.end <= a) p++;
      ptr[j] = p;
      const s = src[p];
      if (s && s.start <= a) winner = s;
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
  const out: Handoff[] = [];
  if (count <= 0) return out;
  let cur = onCallAt(spec, from);
  let pos = from;
  let chunk = 7 * DAY_MS;
  const limit = from + horizonMs;
  const change = (at: number, next: OnCall | null): void => {
    if (at > from && out.length < count && !sameSet(cur, next)) out.push({ at, previous: cur, next });
    cur = next;
  };
  while (out.length < count && pos < limit) {
    const end = Math.min(pos + chunk, limit);
    for (const s of finalSchedule(spec, { start: pos, end })) {
      if (s.start > pos) change(pos, null);
      change(s.start, { userIds: s.userIds, source: s.source });
      pos = s.end;
    }
    if (pos < end) {
      change(pos, null);
      pos = end;
    }
    chunk *= 2;
  }
  return out;
}

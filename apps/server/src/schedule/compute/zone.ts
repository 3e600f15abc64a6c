import { IANAZone } from 'luxon';

/*
 * Wall-clock arithmetic. A "local" value is a wall-clock reading encoded as if it were UTC
 * milliseconds: local = instant + offset. Whole local days are then plain integer division, and
 * adding local days or minutes is plain addition; DST only matters when converting back.
 *
 * Offsets come from Intl (through luxon), which costs ~10 µs a call. Everything here goes through a
 * per-zone cache of UTC days: for each UTC day we know the offset at its start and end and, when
 * they differ, the instant of the one transition in between (found by bisection to the second).
 * Real zones never change offset twice within 24 hours, so this is exact.
 */

/** Milliseconds in a minute. */
export const MINUTE_MS = 60_000;
/** Milliseconds in an hour. */
export const HOUR_MS = 3_600_000;
/** Milliseconds in a (24-hour) day. */
export const DAY_MS = 86_400_000;
/** Minutes in a week. */
export const WEEK_MINUTES = 7 * 1440;

/** UTC days per chunk of the offset cache. */
const CHUNK_DAYS = 256;
/** Chunks kept per zone before the cache starts again (about 700 years of days). */
const MAX_CHUNKS = 1000;

/**
 * The offsets of one zone, cached by UTC day in chunks of CHUNK_DAYS days: for each day three
 * numbers, the offset at its start (`before`), at its end (`after`), and the instant of the
 * transition between them (Infinity when there is none; NaN `before` marks a day not yet known).
 * Calls come in runs over nearby instants, so the last chunk used is kept at hand.
 */
class ZoneOffsets {
  private readonly boundary = new Map<number, number>();
  private readonly chunks = new Map<number, Float64Array>();
  private lastChunkNo = Number.NaN;
  private lastChunk: Float64Array | null = null;
  constructor(private readonly zone: IANAZone) {}

  private raw(t: number): number {
    return this.zone.offset(t) * MINUTE_MS;
  }

  private at(dayStart: number): number {
    let o = this.boundary.get(dayStart);
    if (o === undefined) {
      o = this.raw(dayStart);
      this.boundary.set(dayStart, o);
    }
    return o;
  }

  offset(t: number): number {
    const day = Math.floor(t / DAY_MS);
    if (!Number.isSafeInteger(day) || Math.abs(day) > 0x3fffffff) return this.raw(t);
    const chunkNo = day >> 8;
    let chunk = this.lastChunk;
    if (chunkNo !== this.lastChunkNo || chunk === null) {
      chunk = this.chunks.get(chunkNo) ?? null;
      if (chunk === null) {
        if (this.chunks.size >= MAX_CHUNKS) {
          this.chunks.clear();
          this.boundary.clear();
        }
        chunk = new Float64Array(CHUNK_DAYS * 3).fill(Number.NaN);
        this.chunks.set(chunkNo, chunk);
      }
      this.lastChunkNo = chunkNo;
      this.lastChunk = chunk;
    }
    const i = (day - chunkNo * CHUNK_DAYS) * 3;
    let before = chunk[i] as number;
    if (Number.isNaN(before)) this.fill(chunk, i, day);
    before = chunk[i] as number;
    return t < (chunk[i + 2] as number) ? before : (chunk[i + 1] as number);
  }

  /** Finds day `day`'s offsets (and its transition, by bisection to the second) into `chunk` at `i`. */
  private fill(chunk: Float64Array, i: number, day: number): void {
    const s = day * DAY_MS;
    const before = this.at(s);
    const after = this.at(s + DAY_MS);
    let at = Infinity;
    if (before !== after) {
      // Smallest whole second in (s, s + DAY] whose offset is `after`.
      let lo = 0;
      let hi = 86_400;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (this.raw(s + mid * 1000) === before) lo = mid;
        else hi = mid;
      }
      at = s + hi * 1000;
    }
    chunk[i] = before;
    chunk[i + 1] = after;
    chunk[i + 2] = at;
  }
}

const cache = new Map<string, ZoneOffsets>();

let lastZone = '';
let lastOffsets: ZoneOffsets | null = null;

function offsetsOf(zone: string): ZoneOffsets {
  if (zone === lastZone && lastOffsets) return lastOffsets;
  let z = cache.get(zone);
  if (!z) {
    if (!isValidZone(zone)) throw new Error(`Unknown time zone: ${zone}`);
    z = new ZoneOffsets(IANAZone.create(zone));
    cache.set(zone, z);
  }
  lastZone = zone;
  lastOffsets = z;
  return z;
}

/** Answers of isValidZone: luxon's check builds an Intl.DateTimeFormat (~0.1 ms) on every call. */
const validity = new Map<string, boolean>();

/** True when `zone` is an IANA time zone name luxon (Intl) knows. */
export function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0) return false;
  let ok = validity.get(zone);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(zone);
    if (validity.size > 10_000) validity.clear(); // names come from input: keep the memory bounded
    validity.set(zone, ok);
  }
  return ok;
}

/** The UTC offset of `zone` at instant `t`, in milliseconds. Throws on an unknown zone. */
export function offsetMs(zone: string, t: number): number {
  return offsetsOf(zone).offset(t);
}

/** The wall-clock reading of instant `t` in `zone`, encoded as UTC milliseconds. */
export function toLocal(zone: string, t: number): number {
  return t + offsetsOf(zone).offset(t);
}

/**
 * The earliest instant whose wall-clock reading in `zone` is at or after `local`. For an ordinary
 * time that is the time itself; for an ambiguous one (fall-back) its first occurrence; for a
 * nonexistent one (spring-forward gap) the transition, i.e. the first valid instant after it.
 */
export function fromLocal(zone: string, local: number): number {
  const z = offsetsOf(zone);
  const early = z.offset(local - DAY_MS);
  const late = z.offset(local + DAY_MS);
  const a = local - early;
  // The same offset a day either side (nearly every call): one candidate to check, not two.
  if (early === late && a + z.offset(a) === local) return a;
  const b = local - late;
  const aOk = a + z.offset(a) === local;
  const bOk = b + z.offset(b) === local;
  if (aOk && bOk) return Math.min(a, b);
  if (aOk) return a;
  if (bOk) return b;
  // A gap: the clock jumps over `local`. The transition lies between the two candidates; find the
  // first instant whose reading is past `local`.
  let lo = Math.min(a, b);
  let hi = Math.max(a, b);
  if (lo + z.offset(lo) >= local) return lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + z.offset(mid) >= local) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The local day number (days since 1970-01-01) of a local value. */
export function localDay(local: number): number {
  return Math.floor(local / DAY_MS);
}

/** The ISO weekday index (0 = Monday ... 6 = Sunday) of a local day number. */
export function weekdayOfDay(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** Minutes since local midnight of a local value (fractional when not on a whole minute). */
export function minuteOfDay(local: number): number {
  return (local - localDay(local) * DAY_MS) / MINUTE_MS;
}

/** The instant of local day `day` at `minute` minutes past midnight in `zone`. */
export function atLocal(zone: string, day: number, minute: number): number {
  return fromLocal(zone, day * DAY_MS + minute * MINUTE_MS);
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes past midnight of an "HH:MM" string, or null when malformed; "24:00" only if allowed. */
export function parseTime(s: unknown, allow24 = false): number | null {
  if (typeof s !== 'string') return null;
  if (allow24 && s === '24:00') return 1440;
  const m = HHMM.exec(s);
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The instant of a local ISO date-time ("2024-03-31T09:00", seconds optional) in `zone`, with the
 * same gap and ambiguity rule as hand-offs. Throws on malformed input.
 */
export function localToInstant(local: string, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(local);
  if (!m) throw new Error(`Not a local date-time: ${local}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Number((m[7] ?? '0').padEnd(3, '0')));
  return fromLocal(zone, ms);
}

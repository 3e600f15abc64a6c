/** A source of the current time. Domain code takes a Clock instead of calling Date.now(). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; tests fast-forward it and then await an engine cycle. */
export class FakeClock implements Clock {
  private current: number;
  constructor(start: number | string | Date = '2026-01-05T09:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): number {
    return this.current;
  }
  /** Moves the clock forward by ms milliseconds. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('FakeClock cannot go backwards');
    this.current += ms;
  }
  /** Sets the clock to an absolute time (never backwards). */
  set(at: number | string | Date): void {
    const t = new Date(at).getTime();
    if (t < this.current) throw new Error('FakeClock cannot go backwards');
    this.current = t;
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

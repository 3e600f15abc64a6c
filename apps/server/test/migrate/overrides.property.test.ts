/**
 * Overrides an import writes to klaxon.yaml (src/migrate/overrides.ts), read back the way `klaxon
 * apply` reads them: any span in any zone comes back exactly, and one longer than Klaxon's longest
 * override (366 days) comes as consecutive pieces of at most 366 days covering exactly that span.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_OVERRIDE_MS, overrideSpecs } from '../../src/migrate/overrides.js';
import { parseInstant } from '../../src/schedule/types.js';
import { must } from '../../src/lib/must.js';

const DAY = 86_400_000;
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];

describe('overrides written by an import', () => {
  it('read back as exactly the source span, split into contiguous pieces of at most 366 days', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 }).map((m) => m * 60_000),
        fc.oneof(
          fc.integer({ min: 1, max: 366 * 24 * 60 }).map((m) => m * 60_000),
          fc.integer({ min: 366 * DAY, max: 1200 * DAY }),
        ),
        fc.constantFrom(...zones),
        (start, length, zone) => {
          const end = start + length;
          const specs = overrideSpecs(['a@example.com'], start, end, zone, 'PagerDuty override P1');
          const spans = specs.map((s) => [parseInstant(s.start, zone), parseInstant(s.end, zone)] as [number, number]);
          expect(must(spans[0], 'spans[0]')[0]).toBe(start);
          expect(must(spans[spans.length - 1], 'spans[spans.length - 1]')[1]).toBe(end);
          for (const [i, [a, b]] of spans.entries()) {
            expect(b).toBeGreaterThan(a);
            expect(b - a).toBeLessThanOrEqual(MAX_OVERRIDE_MS);
            if (i > 0) expect(a).toBe(must(spans[i - 1], 'spans[i - 1]')[1]);
          }
          expect(specs.length).toBe(Math.ceil(length / MAX_OVERRIDE_MS));
          for (const s of specs) expect(s).toMatchObject({ users: ['a@example.com'], note: 'PagerDuty override P1' });
        },
      ),
      { numRuns: 500 },
    );
  });
});

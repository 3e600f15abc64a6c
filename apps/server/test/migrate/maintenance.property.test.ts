/**
 * The mapping of a source's maintenance windows (src/migrate/maintenance.ts) and Opsgenie's time
 * forms, over generated windows: a window Klaxon can hold becomes one with the same span and services,
 * anything else is reported with why, an ended one is dropped, and nothing is both or neither.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toImported, type SourceMaintenance } from '../../src/migrate/maintenance.js';
import { maintenanceSpan } from '../../src/migrate/opsgenie/index.js';
import type { ReportItem } from '../../src/migrate/types.js';

const NOW = Date.UTC(2026, 11, 6, 12);
const H = 3_600_000;

const time = fc.oneof(fc.integer({ min: NOW - 1000 * H, max: NOW + 1000 * H }), fc.constant(Number.NaN), fc.constant(undefined));
const window = fc.record({
  kind: fc.constantFrom('maintenance window', 'maintenance', 'integration maintenance'),
  source: fc.record({ name: fc.string({ maxLength: 40 }), id: fc.string({ minLength: 1, maxLength: 12 }) }),
  title: fc.string({ maxLength: 700 }),
  vendor: fc.constantFrom('PagerDuty', 'Opsgenie', 'Grafana OnCall'),
  services: fc.array(fc.constantFrom('Checkout', 'Ledger', 'Search'), { maxLength: 4 }),
  uncovered: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 3 }),
  startsAt: time,
  endsAt: time,
  differs: fc.option(fc.string({ minLength: 1, maxLength: 80 }), { nil: undefined }),
}) as fc.Arbitrary<SourceMaintenance>;

describe('maintenance windows from a source', () => {
  it('become a Klaxon window with the same span and services, or one report item saying why; ended ones vanish', () => {
    fc.assert(
      fc.property(window, (m) => {
        const items: ReportItem[] = [];
        const w = toImported(m, NOW, items);
        const usable = m.startsAt !== undefined && m.endsAt !== undefined && Number.isFinite(m.startsAt) && Number.isFinite(m.endsAt) && m.endsAt > m.startsAt;
        if (usable && m.endsAt! <= NOW) {
          expect(w).toBeUndefined();
          expect(items).toEqual([]);
          return;
        }
        expect(items).toHaveLength(1);
        expect(items[0]).toMatchObject({ kind: m.kind, id: m.source.id });
        if (!usable || !m.services.length) {
          expect(w).toBeUndefined();
          expect(items[0]!.severity).toBe('not-imported');
          return;
        }
        expect(w).toBeDefined();
        expect(w!.startsAt).toBe(m.startsAt);
        expect(w!.endsAt).toBe(m.endsAt);
        expect(new Set(w!.services)).toEqual(new Set(m.services));
        expect(w!.services.length).toBe(new Set(m.services).size);
        expect(w!.title.length).toBeGreaterThan(0);
        expect(w!.title.length).toBeLessThanOrEqual(500);
        expect(w!.title).not.toMatch(/\s\s|\n/);
        // The report says exactly how the window differs, if it does.
        expect(items[0]!.severity).toBe(m.uncovered.length || m.differs ? 'changed' : 'note');
        expect(items[0]!.instead).toContain(`created in Klaxon on ${w!.services.join(', ')}`);
        for (const u of m.uncovered) expect(items[0]!.why).toContain(u);
      }),
      { numRuns: 2000 },
    );
  });

  it("Opsgenie's fixed-length forms end that long after their start; indefinitely has no end", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: NOW - 100 * H, max: NOW + 100 * H }),
        fc.constantFrom(['for-5-minutes', 5 * 60_000], ['for-30-minutes', 30 * 60_000], ['for-1-hour', H]),
        (start, [type, length]) => {
          const startDate = new Date(start).toISOString();
          expect(maintenanceSpan({ time: { type: type as string, startDate } })).toEqual({ startsAt: Date.parse(startDate), endsAt: Date.parse(startDate) + (length as number) });
          // An end in the answer wins over the form.
          const endDate = new Date(start + 7 * H).toISOString();
          expect(maintenanceSpan({ time: { type: type as string, startDate, endDate } }).endsAt).toBe(Date.parse(endDate));
          expect(maintenanceSpan({ time: { type: 'indefinitely', startDate } }).endsAt).toBeUndefined();
        },
      ),
    );
  });
});

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
import { must } from '../../src/lib/must.js';

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
        if (usable && must(m.endsAt, 'm.endsAt') <= NOW) {
          expect(w).toBeUndefined();
          expect(items).toEqual([]);
          return;
        }
        expect(items).toHaveLength(1);
        expect(items[0]).toMatchObject({ kind: m.kind, id: m.source.id });
        if (!usable || !m.services.length) {
          expect(w).toBeUndefined();
          expect(must(items[0], 'items[0]').severity).toBe('not-imported');
          return;
        }
        expect(w).toBeDefined();
        const imported = must(w, 'w');
        const item = must(items[0], 'items[0]');
        expect(imported.startsAt).toBe(m.startsAt);
        expect(imported.endsAt).toBe(m.endsAt);
        expect(new Set(imported.services)).toEqual(new Set(m.services));
        expect(imported.services.length).toBe(new Set(m.services).size);
        expect(imported.title.length).toBeGreaterThan(0);
        expect(imported.title.length).toBeLessThanOrEqual(500);
        expect(imported.title).not.toMatch(/\s\s|\n/);
        // The report says exactly how the window differs, if it does.
        expect(item.severity).toBe(m.uncovered.length || m.differs ? 'changed' : 'note');
        expect(item.instead).toContain(`created in Klaxon on ${imported.services.join(', ')}`);
        for (const u of m.uncovered) expect(item.why).toContain(u);
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

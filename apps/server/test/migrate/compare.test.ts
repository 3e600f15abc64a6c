import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { diffOnCall, diffPaging, formatCompare, type CompareResult, type OnCallInterval } from '../../src/migrate/compare.js';
import { must } from '../../src/lib/must.js';

const people = ['a@x', 'b@x', 'c@x'];
const span = { from: 0, to: 1000 };
const interval = fc
  .record({ start: fc.integer({ min: -100, max: 1100 }), len: fc.integer({ min: 1, max: 400 }), emails: fc.subarray(people) })
  .map(({ start, len, emails }): OnCallInterval => ({ start, end: start + len, emails }));

/** Who a list says is on call at t, evaluated independently of the code under test. */
const at = (list: OnCallInterval[], t: number) => [...new Set(list.filter((i) => i.start <= t && t < i.end).flatMap((i) => i.emails))].sort();

describe('diffOnCall', () => {
  test('a point of the span is inside a difference exactly when the two sides name different people, and the difference names them', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 8 }), fc.array(interval, { maxLength: 8 }), (source, klaxon) => {
        const diffs = diffOnCall('S', source, klaxon, span);
        for (let t = span.from; t < span.to; t += 7) {
          const s = at(source, t);
          const k = at(klaxon, t);
          const d = diffs.find((x) => x.start <= t && t < x.end);
          if (s.join() === k.join()) expect(d).toBeUndefined();
          else expect(d && { source: d.source, klaxon: d.klaxon }).toEqual({ source: s, klaxon: k });
        }
        for (const d of diffs) expect(d.start >= span.from && d.end <= span.to && d.start < d.end).toBe(true);
        // Merged: two adjacent differences never say the same thing.
        for (let i = 1; i < diffs.length; i++) {
          const p = must(diffs[i - 1], 'diffs[i - 1]');
          const c = must(diffs[i], 'diffs[i]');
          expect(p.end <= c.start).toBe(true);
          if (p.end === c.start) expect(p.source.join() === c.source.join() && p.klaxon.join() === c.klaxon.join()).toBe(false);
        }
      }),
    );
  });

  test('the same intervals cut differently compare equal; emails compare without case', () => {
    const source = [{ start: 0, end: 1000, emails: ['Alice@Example.com'] }];
    const klaxon = [
      { start: 0, end: 400, emails: ['alice@example.com'] },
      { start: 400, end: 1000, emails: ['alice@example.com'] },
    ];
    expect(diffOnCall('S', source, klaxon, span)).toEqual([]);
  });

  test('a gap on one side is a difference against nobody', () => {
    const d = diffOnCall('S', [{ start: 0, end: 1000, emails: ['a@x'] }], [{ start: 0, end: 600, emails: ['a@x'] }], span);
    expect(d).toEqual([{ schedule: 'S', start: 600, end: 1000, source: ['a@x'], klaxon: [] }]);
  });
});

describe('diffPaging', () => {
  test('level by level; a level only one side has differs against nobody', () => {
    expect(diffPaging('svc', [{ emails: ['b@x', 'a@x'] }, { emails: ['c@x'] }], [{ emails: ['a@x', 'b@x'] }])).toEqual([{ service: 'svc', level: 2, source: ['c@x'], klaxon: [] }]);
  });
});

test('formatCompare prints one line per difference and says when nothing differs', () => {
  const r: CompareResult = {
    source: 'opsgenie',
    url: 'https://api.opsgenie.com',
    from: Date.UTC(2026, 11, 7),
    to: Date.UTC(2027, 1, 1),
    at: Date.UTC(2026, 11, 7),
    schedules: [
      {
        schedule: 'Primary',
        source: { name: 'Primary_Schedule', id: 's1' },
        inKlaxon: true,
        notes: [],
        differences: [{ schedule: 'Primary', start: Date.UTC(2026, 11, 8, 9), end: Date.UTC(2026, 11, 8, 17), source: ['a@x'], klaxon: ['b@x'] }],
      },
    ],
    services: [{ service: 'api', source: { name: 'API', id: 'p1' }, inKlaxon: false, levels: [], differences: [] }],
    differences: 2,
  };
  const text = formatCompare(r);
  expect(text).toContain('2026-12-08 09:00Z – 2026-12-08 17:00Z  source: a@x  klaxon: b@x');
  expect(text).toContain('Service "api" (source: API, id p1): not in Klaxon');
  expect(text).toContain('2 schedule(s) or service(s) differ.');
  expect(formatCompare({ ...r, schedules: [], services: [], differences: 0 })).toContain('No differences.');
});

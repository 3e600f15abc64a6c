import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/context.js';
import { evaluateCondition, labelsOf } from '../../src/escalation/condition.js';
import { takeRoundRobinTurn } from '../../src/escalation/store.js';
import { must } from '../../src/lib/must.js';
import { DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Chatham'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** The local weekday and minute of day by Intl (an oracle independent of the schedule code). */
function localByIntl(zone: string, at: number): { day: string; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => mustFind(parts, `the ${t} part`, (p) => p.type === t).value;
  return { day: get('weekday').toLowerCase().slice(0, 3), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

describe('level conditions (fast-check)', () => {
  // Instants across 2024-2030, DST changes included (minute-aligned, as the window has minute precision).
  const instant = fc.integer({ min: Date.parse('2024-01-01T00:00:00Z') / 60_000, max: Date.parse('2030-12-31T00:00:00Z') / 60_000 }).map((m) => m * 60_000);

  it('time of day and weekday in any zone hold exactly when the local time (by Intl) is inside the window, over midnight too', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 1439 }), fc.subarray([...DAYS], { minLength: 1 }), (zone, at, s, e, days) => {
        fc.pre(s !== e);
        const c = { timeZone: zone, days, between: { start: hhmm(s), end: hhmm(e) } };
        const r = evaluateCondition(c, { at, severity: 'critical', urgency: 'high', labels: {} });
        const { day, minute } = localByIntl(zone, at);
        const inWindow = s < e ? minute >= s && minute < e : minute >= s || minute < e;
        expect(r.holds).toBe(days.includes(day as never) && inWindow);
        expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('severity, urgency and labels: holds exactly when each given part matches; never throws on any labels', () => {
    const sev = fc.constantFrom('critical', 'error', 'warning', 'info');
    fc.assert(
      fc.property(
        fc.option(fc.subarray(['critical', 'error', 'warning', 'info'] as const, { minLength: 1 }), { nil: undefined }),
        fc.option(fc.constantFrom('high' as const, 'low' as const), { nil: undefined }),
        fc.option(fc.record({ key: fc.string({ minLength: 1, maxLength: 5 }), values: fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 3 }), eq: fc.boolean() }), { nil: undefined }),
        sev,
        fc.constantFrom('high', 'low'),
        fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 3 })),
        (severity, urgency, lab, s, u, labels) => {
          const label = lab && (lab.eq ? { key: lab.key, equals: must(lab.values[0], 'lab.values[0]') } : { key: lab.key, in: lab.values });
          const c = { ...(severity && { severity }), ...(urgency && { urgency }), ...(label && { label }) };
          const r = evaluateCondition(c, { at: 0, severity: s, urgency: u, labels });
          const v = lab && Object.prototype.hasOwnProperty.call(labels, lab.key) ? labels[lab.key] : undefined;
          const labelOk = !lab || (v !== undefined && (lab.eq ? v === lab.values[0] : lab.values.includes(v)));
          expect(r.holds).toBe((!severity || severity.includes(s as never)) && (!urgency || urgency === u) && labelOk);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('labelsOf never throws and keeps only string values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
        const l = labelsOf(s);
        for (const v of Object.values(l)) expect(typeof v).toBe('string');
      }),
    );
  });
});

describe.each(DIALECTS)('round-robin cursor fairness (%s, fast-check)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
  });
  afterAll(() => t?.stop());

  it('batches of concurrent turns hand out every position once, so n targets get turns differing by at most one', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5 }), async (batches, n) => {
        const policy = `p${run++}`;
        const got: number[] = [];
        for (const size of batches) {
          got.push(...(await Promise.all(Array.from({ length: size }, () => withTransaction(t.k.ctx, (tctx) => takeRoundRobinTurn(tctx.db.kysely, policy, 0, 0))))));
        }
        const total = batches.reduce((a, b) => a + b, 0);
        expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
        const counts = Array.from({ length: n }, (_, i) => got.filter((p) => p % n === i).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 25 },
    );
  });
});

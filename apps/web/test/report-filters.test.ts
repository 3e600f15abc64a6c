import { describe, expect, it } from 'vitest';
import { duration } from '../src/lib/duration.ts';
import { drillHref, duration as reportDuration, periodRange, readFilters, rowDrill, toQuery } from '../src/reports/filters.ts';
import { duration as scheduleDuration } from '../src/schedules/time.ts';

const DAY = 86_400_000;
const none = readFilters(new URLSearchParams());
const params = (href: string) => new URL(href, 'http://x').searchParams;

describe('report filters and drill-down links', () => {
  it('reads the URL, drops malformed dates, and turns UTC days into the API range (to: the end of its day)', () => {
    const f = readFilters(new URLSearchParams('from=2026-03-01&to=2026-03-07&team=t1&severity=SEV2&drills=true&service='));
    expect(f).toEqual({ from: '2026-03-01', to: '2026-03-07', team: 't1', service: '', severity: 'SEV2', drills: true });
    expect(toQuery(f)).toEqual({ from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00.000Z', team: 't1', severity: 'SEV2', drills: true });
    expect(readFilters(new URLSearchParams('from=yesterday&to=2026-02-30x')).from).toBe('');
    expect(toQuery(none)).toEqual({});
  });

  it("links a figure to the list with the answer's range, the report's filters and drills left out unless included", () => {
    const range = { from: 1000, to: 2000 };
    const p = params(drillHref(range, { ...none, team: 't1', severity: 'critical' }, 'MTTA', { acknowledged: true }));
    expect(Object.fromEntries(p)).toEqual({ status: 'all', since: '1000', until: '2000', team: 't1', level: 'critical', drill: 'false', acknowledged: 'true', report: 'MTTA' });
    expect(params(drillHref(range, { ...none, drills: true }, 'x')).has('drill')).toBe(false);
    // Ids (SLA breaches) stand alone: no range, no other filter.
    const ids = params(drillHref(range, { ...none, team: 't1' }, 'Breaches', { ids: ['a', 'b'] }));
    expect(ids.getAll('ids')).toEqual(['a', 'b']);
    expect(ids.has('since') || ids.has('team')).toBe(false);
    // A row's own filter wins over the report's.
    expect(params(drillHref(range, { ...none, service: 's1' }, 'x', { service: 's2', status: 'resolved' })).get('service')).toBe('s2');
  });

  it('maps aggregate rows and periods to list filters', () => {
    expect(rowDrill('service', 's1')).toEqual({ service: 's1' });
    expect(rowDrill('severity', 'SEV1')).toEqual({ level: 'SEV1' });
    expect(rowDrill('responder', 'u1')).toEqual({ acknowledgedBy: 'u1' });
    expect(rowDrill('responder', '(unacknowledged)')).toEqual({ acknowledged: false });
    expect(rowDrill('team', '(none)')).toBeNull();
    expect(rowDrill('schedule', 'sch1')).toBeNull();
    const monday = Date.parse('2026-03-02T00:00:00Z');
    expect(rowDrill('week', String(monday))).toEqual({ since: monday, until: monday + 7 * DAY });
    expect(periodRange('2026-03-02', 'day')).toEqual({ since: monday, until: monday + DAY });
    expect(periodRange('2026-12', 'month')).toEqual({ since: Date.parse('2026-12-01T00:00:00Z'), until: Date.parse('2027-01-01T00:00:00Z') });
    expect(periodRange('all', 'week')).toBeNull();
  });

  it('writes durations for people', () => {
    expect(duration(null)).toBe('—');
    expect(duration(undefined)).toBe('—');
    expect(duration(45_000)).toBe('45 s');
    expect(duration(320_000)).toBe('5 min');
    expect(duration(80 * 60_000)).toBe('1 h 20 min');
    expect(duration(51 * 3_600_000)).toBe('2 d 3 h');
    expect(duration(30 * 3_600_000)).toBe('1 d 6 h');
    expect(duration(-320_000)).toBe('5 min');
  });

  it('keeps seconds under an hour when asked, as postmortem drafts (and the server) write them', () => {
    expect(duration(320_000, { seconds: true })).toBe('5 min 20 s');
    expect(duration(300_000, { seconds: true })).toBe('5 min');
    expect(duration(45_000, { seconds: true })).toBe('45 s');
    expect(duration(65 * 60_000 + 10_000, { seconds: true })).toBe('1 h 5 min');
  });

  it('is the one duration of the web app: schedules and reports use the same function', () => {
    expect(scheduleDuration).toBe(duration);
    expect(reportDuration).toBe(duration);
  });
});

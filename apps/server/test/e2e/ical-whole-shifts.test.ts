import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

interface Ev {
  uid: string;
  start: string;
  end: string;
  summary: string;
}

/** The events of an iCalendar text (content lines unfolded per RFC 5545 3.1). */
function events(text: string): Ev[] {
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  return unfolded
    .split('BEGIN:VEVENT')
    .slice(1)
    .map((block) => {
      const field = (name: string) => new RegExp(`^${name}(?:;[^:\\r\\n]*)?:(.*)$`, 'm').exec(block)?.[1]?.trim() ?? '';
      return { uid: field('UID'), start: field('DTSTART'), end: field('DTEND'), summary: field('SUMMARY') };
    });
}

// The feed window is 30 days back to 180 days ahead; a shift across either edge is shown whole, and
// an event keeps its UID from one day to the next (calendar apps update it instead of duplicating it).
describe.each(DIALECTS)('iCal feeds hold whole shifts with stable UIDs (%s)', (dialect) => {
  let t: TestKlaxon;
  let scheduleFeed: string;
  let userFeed: string;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect); // 2026-03-02T09:00Z
    const ada = (await t.api('POST', '/api/v1/users', { email: 'ada@example.com', name: 'Ada', role: 'responder', timeZone: 'UTC' })).body.user.id as string;
    const ben = (await t.api('POST', '/api/v1/users', { email: 'ben@example.com', name: 'Ben', role: 'responder', timeZone: 'UTC' })).body.user.id as string;
    // Two-week turns since 1 Dec 2025: Ada 26 Jan-9 Feb runs across the window's start (31 Jan),
    // Ben 24 Aug-7 Sep across its end (29 Aug).
    const fortnight = await t.api('POST', '/api/v1/schedules', {
      name: 'Fortnight',
      timeZone: 'UTC',
      layers: [{ participants: [ada, ben], turn: { unit: 'week', count: 2 }, start: '2025-12-01T09:00' }],
    });
    expect(fortnight.status).toBe(201);
    // One person since January 2025: a single shift that began long before the window.
    const solo = await t.api('POST', '/api/v1/schedules', { name: 'Solo', timeZone: 'UTC', layers: [{ participants: [ada], turn: { unit: 'week', count: 1 }, start: '2025-01-06T09:00' }] });
    expect(solo.status).toBe(201);
    scheduleFeed = (await t.api('POST', '/api/v1/schedules/Fortnight/ical-secret')).body.url;
    userFeed = (await t.api('POST', `/api/v1/users/${ada}/ical-secret`)).body.url;
  });
  afterAll(async () => t?.stop());

  const read = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return events(await res.text());
  };

  it('a shift across the window edges keeps its real start and end', async () => {
    const ev = await read(scheduleFeed);
    expect(ev[0]).toMatchObject({ start: '20260126T090000Z', end: '20260209T090000Z', summary: 'On call: Ada' });
    expect(ev.at(-1)).toMatchObject({ start: '20260824T090000Z', end: '20260907T090000Z', summary: 'On call: Ben' });
    // Every shift in between is whole too: two weeks each, back to back.
    for (let i = 1; i < ev.length; i++) expect(must(ev[i], 'ev[i]').start).toBe(must(ev[i - 1], 'ev[i - 1]').end);
    const mine = await read(userFeed);
    expect(mine[0]).toMatchObject({ start: '20250106T090000Z', summary: 'On call: Solo' });
    expect(mine.filter((e) => e.summary === 'On call: Fortnight')[0]).toMatchObject({ start: '20260126T090000Z', end: '20260209T090000Z' });
  });

  it('the same shift has the same UID the next day, and the day after', async () => {
    const before = await read(scheduleFeed);
    const mineBefore = await read(userFeed);
    for (const days of [1, 2]) {
      t.clock.set(Date.parse('2026-03-02T09:00:00Z') + days * 86_400_000);
      const after = await read(scheduleFeed);
      const mineAfter = await read(userFeed);
      for (const [was, now] of [
        [before, after],
        [mineBefore, mineAfter],
      ] as const) {
        const byStart = new Map(now.map((e) => [e.start, e.uid]));
        const common = was.filter((e) => byStart.has(e.start));
        expect(common.length).toBeGreaterThan(5);
        for (const e of common) expect(byStart.get(e.start), `shift from ${e.start}`).toBe(e.uid);
      }
      // The first events (the shifts across the window's start) are the same events.
      expect(must(after[0], 'after[0]').uid).toBe(must(before[0], 'before[0]').uid);
      expect(must(mineAfter[0], 'mineAfter[0]').uid).toBe(must(mineBefore[0], 'mineBefore[0]').uid);
    }
  });
});

/**
 * Schedules on the paging path, end to end: the real server on a fake clock, alerts in through the
 * generic webhook, pages out through a real (fake) SMTP server. An alert during a shift pages the
 * person on call then; after the hand-off, the next person; an override in between, the override;
 * an incident during a gap escalates at once, saying why. iCal feeds parse, and a hand-off notice
 * arrives once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const MIN = 60_000;

describe.each(DIALECTS)('schedules page whoever is on call (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let carol: Responder;
  let dave: Responder;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    // Monday 2 March 2026, 09:00 UTC = 10:00 in Berlin.
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    carol = await addResponder(t, { name: 'Carol', email: 'carol@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    dave = await addResponder(t, { name: 'Dave', email: 'dave@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const team = await t.api('POST', '/api/v1/teams', { name: 'SRE', members: [{ userId: alice.id }, { userId: dave.id, role: 'manager' }] });
    expect(team.status).toBe(201);

    // A day each, handing off at 10:00 Berlin time, starting now.
    const primary = await t.api('POST', '/api/v1/schedules', {
      name: 'Primary',
      teamId: 'SRE',
      timeZone: 'Europe/Berlin',
      layers: [{ name: 'daily', participants: [alice.email, bob.email, carol.email], turn: { unit: 'day', count: 1 }, handoffTime: '10:00', start: '2026-03-02T10:00' }],
      handoffNoticeMinutes: 60,
      gapNoticeDays: 0,
    });
    expect(primary.status).toBe(201);
    // Office hours only: nights and weekends are gaps.
    const daytime = await t.api('POST', '/api/v1/schedules', {
      name: 'Daytime',
      teamId: 'SRE',
      timeZone: 'Europe/Berlin',
      layers: [{ participants: [carol.id], turn: { unit: 'week', count: 1 }, start: '2026-03-02T09:00', restrictions: [{ kind: 'preset', preset: 'business-hours' }] }],
      handoffNoticeMinutes: 0,
      gapNoticeDays: 2,
    });
    expect(daytime.status).toBe(201);

    for (const [svc, levels] of [
      [
        'checkout',
        [
          { delayMinutes: 5, targets: [{ type: 'schedule', id: 'Primary' }] },
          { delayMinutes: 5, targets: [{ type: 'schedule_next', id: 'Primary' }] },
        ],
      ],
      [
        'batch',
        [
          { delayMinutes: 5, targets: [{ type: 'schedule', id: 'Daytime' }] },
          { delayMinutes: 5, targets: [{ type: 'user', id: dave.id }] },
        ],
      ],
    ] as const) {
      const policy = await t.api('POST', '/api/v1/escalation-policies', { name: svc, levels });
      expect(policy.status).toBe(201);
      const s = await t.api('POST', '/api/v1/services', { name: svc, escalationPolicyId: policy.body.escalationPolicy.id });
      const integ = await t.api('POST', `/api/v1/services/${s.body.service.id}/integrations`, { name: 'generic', kind: 'generic' });
      keys[svc] = integ.body.integration.key;
    }
  });
  afterAll(() => t?.stop());

  /** Sends an alert, runs a cycle, returns the incident number. */
  async function alert(svc: string, dedupKey: string, summary: string): Promise<number> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${keys[svc]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: dedupKey, summary, severity: 'critical', source: 'test' }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const inc = await t.api('GET', '/api/v1/incidents?status=triggered&limit=1');
    return inc.body.incidents[0].number as number;
  }

  const timeline = async (n: number) => ((await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[]).map((e) => `${e.type}: ${e.message}`);
  const pagedFor = (email: string, title: RegExp) => t.smtp.messages.filter((m) => m.to.includes(email) && title.test(m.subject));
  const resolve = async (n: number) => expect((await t.api('POST', `/api/v1/incidents/${n}/resolve`)).status).toBe(200);

  it('an alert during a shift pages the person on call then; unacknowledged, the backup (next on call) is paged', async () => {
    await t.advance(60 * MIN); // 11:00 Berlin, Alice's day
    const n = await alert('checkout', 'cart-1', 'Cart service returns 500s');
    await t.smtp.waitFor((m) => m.to.includes(alice.email) && /Cart service/.test(m.subject));
    expect((await timeline(n)).filter((l) => l.startsWith('escalation'))).toEqual(['escalation.level: Escalation level 1 of 2: paging Alice']);
    await t.advance(5 * MIN);
    await t.smtp.waitFor((m) => m.to.includes(bob.email) && /Cart service/.test(m.subject));
    expect((await timeline(n)).filter((l) => l.startsWith('escalation'))).toEqual(['escalation.level: Escalation level 1 of 2: paging Alice', 'escalation.level: Escalation level 2 of 2: paging Bob']);
    await resolve(n);
  });

  it('after the hand-off, a new alert pages the next person', async () => {
    t.clock.set('2026-03-03T09:30:00Z'); // Tuesday 10:30 Berlin: Bob's day
    const n = await alert('checkout', 'cart-2', 'Checkout latency high');
    await t.smtp.waitFor((m) => m.to.includes(bob.email) && /Checkout latency/.test(m.subject));
    expect((await timeline(n)).filter((l) => l.startsWith('escalation'))).toEqual(['escalation.level: Escalation level 1 of 2: paging Bob']);
    expect(pagedFor(alice.email, /Checkout latency/)).toHaveLength(0);
    await resolve(n);
  });

  it('an override in between pages the override', async () => {
    const o = await t.api('POST', '/api/v1/schedules/Primary/overrides', { userIds: [carol.email], start: '2026-03-03T11:00', end: '2026-03-03T13:00', note: 'Bob at the dentist' });
    expect(o.status).toBe(201);
    const now = await t.api('GET', '/api/v1/schedules/Primary/oncall?at=2026-03-03T11:30');
    expect(now.body.oncall).toMatchObject({ users: [{ name: 'Carol' }], source: { kind: 'override', overrideId: o.body.override.id }, next: [{ name: 'Bob' }] });

    t.clock.set('2026-03-03T10:30:00Z'); // 11:30 Berlin
    const n = await alert('checkout', 'cart-3', 'Payment provider timeouts');
    await t.smtp.waitFor((m) => m.to.includes(carol.email) && /Payment provider/.test(m.subject));
    expect((await timeline(n)).filter((l) => l.startsWith('escalation'))).toEqual(['escalation.level: Escalation level 1 of 2: paging Carol']);
    expect(pagedFor(bob.email, /Payment provider/)).toHaveLength(0);
    await resolve(n);

    t.clock.set('2026-03-03T12:30:00Z'); // 13:30 Berlin: the override is over
    const m = await alert('checkout', 'cart-4', 'Inventory sync stalled');
    await t.smtp.waitFor((x) => x.to.includes(bob.email) && /Inventory sync/.test(x.subject));
    await resolve(m);
  });

  it('an incident during a gap escalates at once to the next level and records why; the manager was told about the gap', async () => {
    t.clock.set('2026-03-03T18:00:00Z'); // 19:00 Berlin: Daytime has nobody
    const gaps = await t.api('GET', '/api/v1/schedules/Daytime/gaps?days=1');
    expect(gaps.body.gaps[0]).toEqual({ start: Date.parse('2026-03-03T18:00:00Z'), end: Date.parse('2026-03-04T08:00:00Z') });

    const n = await alert('batch', 'nightly-1', 'Nightly export failed');
    await t.smtp.waitFor((m) => m.to.includes(dave.email) && /Nightly export/.test(m.subject));
    const lines = (await timeline(n)).filter((l) => l.startsWith('escalation'));
    expect(lines).toEqual([
      'escalation.skipped: Escalation level 1 of 2: nobody could be paged (schedule Daytime has nobody on call (gap)); escalating at once',
      'escalation.level: Escalation level 2 of 2: paging Dave',
    ]);
    expect(pagedFor(carol.email, /Nightly export/)).toHaveLength(0);
    await resolve(n);

    // Dave manages the owner team: he was told about tonight's gap ahead of time, once.
    const told = t.smtp.messages.filter((m) => m.to.includes(dave.email) && /Daytime has nobody on call from Tue 3 Mar 17:00/.test(m.subject));
    expect(told).toHaveLength(1);
    expect(t.smtp.messages.filter((m) => m.to.includes(alice.email) && /Daytime has nobody/.test(m.subject))).toHaveLength(0);
  });

  it('iCal feeds on secret URLs parse, with shifts in UTC; regenerating retires the old URL', async () => {
    const mine = await t.api('POST', `/api/v1/users/${alice.id}/ical-secret`, undefined, alice.token);
    expect(mine.status).toBe(201);
    expect(mine.body.url).toMatch(/\/api\/v1\/ical\/users\/[A-Za-z0-9_-]+\.ics$/);
    const res = await fetch(mine.body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines.at(-2)).toBe('END:VCALENDAR');
    expect(lines.at(-1)).toBe(''); // every line, the last included, ends with CRLF
    expect(lines.filter((l) => Buffer.byteLength(l) > 75)).toEqual([]); // folded at 75 octets
    expect(lines).toContainEqual(expect.stringMatching(/^PRODID:/));
    const events = text.split('BEGIN:VEVENT').slice(1);
    // Alice's first day: Monday 2 March 10:00 to Tuesday 10:00 Berlin = 09:00Z to 09:00Z.
    expect(events[0]).toContain('DTSTART:20260302T090000Z');
    expect(events[0]).toContain('DTEND:20260303T090000Z');
    expect(events[0]).toContain('SUMMARY:On call: Primary');
    expect(events.every((e) => /UID:\S+/.test(e) && /DTSTAMP:\d{8}T\d{6}Z/.test(e) && e.includes('END:VEVENT'))).toBe(true);

    // Someone else cannot mint Alice's feed; an admin can mint the schedule's.
    expect((await t.api('POST', `/api/v1/users/${alice.id}/ical-secret`, undefined, bob.token)).status).toBe(403);
    const sched = await t.api('POST', '/api/v1/schedules/Primary/ical-secret');
    const feed = await (await fetch(sched.body.url)).text();
    expect(feed).toContain('DTSTART:20260303T100000Z'); // Carol's override on Tuesday
    expect(feed).toContain('SUMMARY:On call: Carol');

    const again = await t.api('POST', `/api/v1/users/${alice.id}/ical-secret`, undefined, alice.token);
    expect((await fetch(mine.body.url)).status).toBe(404);
    expect((await fetch(again.body.url)).status).toBe(200);
  });

  it('a hand-off notice arrives once ahead of time and once at the change, not again on later cycles', async () => {
    // Bob's next day is Friday 6 March from 10:00 Berlin (09:00Z); the heads-up is due an hour before.
    const heads = () => t.smtp.messages.filter((m) => m.to.includes(bob.email) && /You will be on call for Primary from Fri 6 Mar 10:00 to Sat 7 Mar 10:00/.test(m.subject));
    const now = () => t.smtp.messages.filter((m) => m.to.includes(bob.email) && /You are now on call for Primary, from Fri 6 Mar 10:00/.test(m.subject));
    t.clock.set('2026-03-06T07:59:00Z');
    await t.cycle();
    expect(heads()).toHaveLength(0);
    await t.advance(1 * MIN);
    const mail = await t.smtp.waitFor((m) => m.to.includes(bob.email) && /You will be on call for Primary/.test(m.subject));
    expect(mail.text).toContain('It starts in 60 minutes.');
    expect(mail.text).toContain('You take over from Alice.');
    await t.advance(1 * MIN);
    await t.cycle();
    expect(heads()).toHaveLength(1);

    await t.advance(59 * MIN);
    await t.smtp.waitFor((m) => m.to.includes(bob.email) && /You are now on call for Primary/.test(m.subject));
    await t.advance(1 * MIN);
    await t.advance(10 * MIN);
    expect(heads()).toHaveLength(1);
    expect(now()).toHaveLength(1);
  });

  it("CLI-facing answers: everyone on call now, a user's shifts, on-call load", async () => {
    const all = await t.api('GET', '/api/v1/oncall', undefined, carol.token);
    expect(all.body.oncall.map((o: { scheduleName: string; users: { name: string }[] }) => `${o.scheduleName}: ${o.users.map((u) => u.name).join(', ') || '-'}`)).toEqual([
      'Daytime: Carol',
      'Primary: Bob',
    ]);
    const shifts = await t.api('GET', `/api/v1/users/${bob.id}/shifts?from=2026-03-06T00:00:00Z&to=2026-03-13T00:00:00Z`, undefined, bob.token);
    expect(shifts.body.shifts.map((s: { start: number }) => new Date(s.start).toISOString())).toEqual(['2026-03-06T09:00:00.000Z', '2026-03-09T09:00:00.000Z', '2026-03-12T09:00:00.000Z']);
    const load = await t.api('GET', '/api/v1/reports/oncall-load?from=2026-03-02T09:00:00Z&to=2026-03-05T09:00:00Z&schedule=Primary');
    const by = Object.fromEntries(load.body.load.map((r: { user: { name: string }; hours: { total: number } }) => [r.user.name, r.hours.total]));
    expect(by).toEqual({ Alice: 24, Bob: 22, Carol: 26 }); // Carol's 2-hour override came out of Bob's day
    expect((await t.api('GET', '/api/v1/reports/oncall-load?from=2026-03-05&to=2026-03-01')).status).toBe(400);
  });

  it('a swap over HTTP: Bob offers his evening, Carol takes it, and she is paged for it', async () => {
    const offer = await t.api('POST', '/api/v1/schedules/Primary/swaps', { start: '2026-03-06T18:00', end: '2026-03-06T22:00', note: 'concert' }, bob.token);
    expect(offer.status).toBe(201);
    const open = await t.api('GET', '/api/v1/schedules/Primary/swaps', undefined, carol.token);
    expect(open.body.swaps.map((x: { id: string }) => x.id)).toEqual([offer.body.swap.id]);
    const taken = await t.api('POST', `/api/v1/swaps/${offer.body.swap.id}/take`, undefined, carol.token);
    expect(taken.status).toBe(200);
    expect(taken.body.swap).toMatchObject({ status: 'taken', takenBy: carol.id });
    expect((await t.api('POST', `/api/v1/swaps/${offer.body.swap.id}/take`, undefined, alice.token)).status).toBe(409);

    t.clock.set('2026-03-06T18:30:00Z'); // 19:30 Berlin
    const n = await alert('checkout', 'cart-5', 'Search index stale');
    await t.smtp.waitFor((m) => m.to.includes(carol.email) && /Search index/.test(m.subject));
    expect((await timeline(n)).filter((l) => l.startsWith('escalation'))).toEqual(['escalation.level: Escalation level 1 of 2: paging Carol']);
    await resolve(n);

    const api = await t.api('GET', '/api/v1/openapi.json');
    expect(Object.keys(api.body.paths)).toEqual(expect.arrayContaining(['/api/v1/schedules/{id}/oncall', '/api/v1/swaps/{id}/take', '/api/v1/reports/oncall-load']));
  });
});

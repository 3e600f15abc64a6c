import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, mustFind, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.each(DIALECTS)('snooze, notes, add responders, bulk on ordinary incidents (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let carol: Responder;
  let viewerToken: string;
  let key: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', phone: '+15554440001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', phone: '+15554440002', rules: [{ type: 'sms', delayMinutes: 0 }] });
    carol = await addResponder(t, { name: 'Carol', email: 'carol@example.com', phone: '+15554440003', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const viewer = await t.api('POST', '/api/v1/users', { email: 'vic@example.com', name: 'Vic', role: 'viewer', timeZone: 'Europe/Berlin' });
    viewerToken = (await t.api('POST', `/api/v1/users/${viewer.body.user.id}/tokens`, { name: 'test' })).body.token;
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Checkout',
      levels: [
        { delayMinutes: 10, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 10, targets: [{ type: 'user', id: bob.id }] },
      ],
    });
    const svc = await t.api('POST', '/api/v1/services', { name: 'checkout', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' });
    key = integ.body.integration.key;
  });
  afterAll(() => t?.stop());

  async function trigger(dedupKey: string, summary: string): Promise<{ n: number; id: string }> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: dedupKey, summary, severity: 'critical' }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const inc = (await t.api('GET', '/api/v1/incidents?status=triggered&limit=1')).body.incidents[0];
    return { n: inc.number as number, id: inc.id as string };
  }
  const smsTo = (r: Responder, re: RegExp) => t.twilio.messages.filter((m) => m.to === r.phone && re.test(m.body));
  const timeline = async (n: number) =>
    (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string; actor: { name: string }; data: Record<string, unknown> }[];

  it('snooze: pages nobody until then, then triggered again paging the level it was at, then escalation goes on', async () => {
    const { n } = await trigger('cart-5xx', 'Cart 5xx rate high');
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Cart 5xx/.test(m.body));

    const r = await t.api('POST', `/api/v1/incidents/${n}/snooze`, { minutes: 30 }, alice.token);
    expect(r.status).toBe(200);
    expect(r.body.changed).toBe(true);
    expect(r.body.incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: alice.id, nextEscalationAt: null, snoozedUntil: t.clock.now() + 30 * MIN });
    const snoozed = (await timeline(n)).filter((e) => e.type === 'incident.snoozed');
    expect(snoozed).toHaveLength(1);
    expect(must(snoozed[0], 'snoozed[0]').message).toMatch(/^Snoozed for 30 minutes by Alice via api: pages again at /);

    // Level 2 (Bob) would have been paged at 10 minutes: snoozed, nobody is.
    await t.advance(10 * MIN);
    await t.advance(19 * MIN);
    expect(smsTo(alice, /Cart 5xx/)).toHaveLength(1);
    expect(smsTo(bob, /Cart 5xx/)).toHaveLength(0);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('acknowledged');

    // At 30 minutes: triggered again, Alice (the level it was at) is paged again, then Bob 10 minutes later.
    await t.advance(1 * MIN);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident).toMatchObject({ status: 'triggered', snoozedUntil: null, acknowledgedBy: null });
    await t.twilio.waitForMessage(() => smsTo(alice, /Cart 5xx/).length === 2);
    expect(smsTo(bob, /Cart 5xx/)).toHaveLength(0);
    expect((await timeline(n)).some((e) => e.type === 'incident.unsnoozed' && e.message === 'Snooze over: triggered again, paging from where it was')).toBe(true);
    await t.advance(10 * MIN);
    await t.twilio.waitForMessage((m) => m.to === bob.phone && /Cart 5xx/.test(m.body));
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
  });

  it('a snooze ends early when the incident is resolved or acknowledged again; snoozing again moves the time', async () => {
    const { n } = await trigger('db-lag', 'Payments DB replica lag');
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /replica lag/.test(m.body));
    await t.api('POST', `/api/v1/incidents/${n}/snooze`, { minutes: 5 });
    const again = await t.api('POST', `/api/v1/incidents/${n}/snooze`, { minutes: 60 });
    expect(again.body.incident.snoozedUntil).toBe(t.clock.now() + 60 * MIN);
    await t.advance(6 * MIN);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('acknowledged');
    const resolved = await t.api('POST', `/api/v1/incidents/${n}/resolve`);
    expect(resolved.body.incident).toMatchObject({ status: 'resolved', snoozedUntil: null });
    await t.advance(60 * MIN);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('resolved');
    expect(smsTo(alice, /replica lag/)).toHaveLength(1);
    // A resolved incident cannot be snoozed.
    const r = await t.api('POST', `/api/v1/incidents/${n}/snooze`, { minutes: 10 });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/is resolved/);
  });

  it('snooze: bad minutes 400 saying what is wrong; viewer 403; unknown incident 404', async () => {
    const { n } = await trigger('bad-snooze', 'Bad snooze input');
    for (const body of [{}, { minutes: 0 }, { minutes: 1441 }, { minutes: '10' }, { minutes: 1.5 }, { minutes: 10, extra: 1 }, null]) {
      const r = await t.api('POST', `/api/v1/incidents/${n}/snooze`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid');
    }
    expect((await t.api('POST', `/api/v1/incidents/${n}/snooze`, { minutes: 10 }, viewerToken)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/incidents/999999/snooze', { minutes: 10 })).status).toBe(404);
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
  });

  it('notes: on the timeline of an ordinary incident, with who wrote it; empty 400; viewer 403', async () => {
    const { n } = await trigger('notes', 'Queue depth growing');
    const r = await t.api('POST', `/api/v1/incidents/${n}/notes`, { text: '  Restarted the consumer; watching.  ' }, bob.token);
    expect(r.status).toBe(201);
    expect(r.body.note).toMatchObject({ type: 'note', message: 'Restarted the consumer; watching.', actor: { name: 'Bob' } });
    const notes = (await timeline(n)).filter((e) => e.type === 'note');
    expect(notes.map((e) => e.message)).toEqual(['Restarted the consumer; watching.']);
    expect((await t.api('POST', `/api/v1/incidents/${n}/notes`, { text: '   ' })).status).toBe(400);
    expect((await t.api('POST', `/api/v1/incidents/${n}/notes`, { text: '' })).status).toBe(400);
    expect((await t.api('POST', `/api/v1/incidents/${n}/notes`, { note: 'x' })).status).toBe(400);
    expect((await t.api('POST', `/api/v1/incidents/${n}/notes`, { text: 'x' }, viewerToken)).status).toBe(403);
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
    // Resolved incidents take notes too (what was learned afterwards).
    expect((await t.api('POST', `/api/v1/incidents/${n}/notes`, { text: 'Root cause: a bad deploy' })).status).toBe(201);
  });

  it('add responders: the person is paged now on their high-priority channels, recorded; no war room needed', async () => {
    const { n } = await trigger('responders', 'Search latency high');
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Search latency/.test(m.body));
    const r = await t.api('POST', `/api/v1/incidents/${n}/responders`, { user: 'carol@example.com' }, alice.token);
    expect(r.status).toBe(200);
    expect(r.body.paged).toEqual({ userId: carol.id, channels: ['sms'] });
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === carol.phone && /Search latency/.test(m.body));
    const e = mustFind(await timeline(n), 'a responder.added event', (x) => x.type === 'responder.added');
    expect(e.message).toBe('Carol added as a responder by Alice via api: paged on sms');
    expect(e.data).toEqual({ userId: carol.id, channels: ['sms'] });
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.major).toBe(false);

    const unknown = await t.api('POST', `/api/v1/incidents/${n}/responders`, { user: 'nobody@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('user: unknown user "nobody@example.com"');
    expect((await t.api('POST', `/api/v1/incidents/${n}/responders`, { user: carol.id }, viewerToken)).status).toBe(403);
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
    expect((await t.api('POST', `/api/v1/incidents/${n}/responders`, { user: carol.id })).status).toBe(409);
  });

  it('bulk: acknowledge, snooze and resolve many, one result per id, one failing does not stop the others', async () => {
    const a = await trigger('bulk-a', 'Disk full on web-1');
    const b = await trigger('bulk-b', 'Disk full on web-2');
    const c = await trigger('bulk-c', 'Disk full on web-3');
    const ack = await t.api('POST', '/api/v1/incidents/bulk', { ids: [a.id, String(b.n), 'no-such-incident'], action: 'acknowledge' }, bob.token);
    expect(ack.status).toBe(200);
    expect(
      ack.body.results.map((r: { id: string; ok: boolean; changed?: boolean; incident?: { status: string }; error?: { code: string } }) => [
        r.id,
        r.ok,
        r.changed ?? null,
        r.incident?.status ?? r.error?.code,
      ]),
    ).toEqual([
      [a.id, true, true, 'acknowledged'],
      [String(b.n), true, true, 'acknowledged'],
      ['no-such-incident', false, null, 'not_found'],
    ]);
    expect(mustFind(await timeline(a.n), 'an incident.acknowledged event', (e) => e.type === 'incident.acknowledged').message).toBe('Acknowledged by Bob via api');

    const sn = await t.api('POST', '/api/v1/incidents/bulk', { ids: [c.id], action: 'snooze', minutes: 15 });
    expect(sn.body.results[0]).toMatchObject({ ok: true, incident: { status: 'acknowledged', snoozedUntil: t.clock.now() + 15 * MIN } });

    const res = await t.api('POST', '/api/v1/incidents/bulk', { ids: [a.id, b.id, c.id], action: 'resolve' });
    expect(res.body.results.map((r: { incident: { status: string } }) => r.incident.status)).toEqual(['resolved', 'resolved', 'resolved']);
    // Snoozing resolved incidents: each says why.
    const late = await t.api('POST', '/api/v1/incidents/bulk', { ids: [a.id], action: 'snooze', minutes: 5 });
    expect(late.body.results[0]).toMatchObject({ ok: false, error: { code: 'conflict' } });

    for (const body of [
      { ids: [a.id], action: 'snooze' },
      { ids: [a.id], action: 'resolve', minutes: 5 },
      { ids: [], action: 'resolve' },
      { ids: [a.id], action: 'escalate' },
      { ids: a.id, action: 'resolve' },
    ]) {
      const r = await t.api('POST', '/api/v1/incidents/bulk', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.api('POST', '/api/v1/incidents/bulk', { ids: [a.id], action: 'resolve' }, viewerToken)).status).toBe(403);
  });

  it("mine=true: incidents I manage or acknowledged, of my teams' services, whose policy names me, or I was paged about; not others", async () => {
    const team = await t.api('POST', '/api/v1/teams', { name: 'Storage', members: [{ userId: carol.id }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'storage', teamId: team.body.team.id });
    const teamInc = await t.api('POST', '/api/v1/incidents', { service: svc.body.service.id, title: 'Bucket quota near' });
    expect(teamInc.status).toBe(201);
    const other = await trigger('mine-other', 'Nobody asked Carol');
    const mine = async (token: string) => ((await t.api('GET', '/api/v1/incidents?mine=true&limit=500', undefined, token)).body.incidents as { title: string }[]).map((i) => i.title);
    const carols = await mine(carol.token);
    expect(carols).toContain('Bucket quota near'); // her team's service
    expect(carols).toContain('Search latency high'); // added as a responder
    expect(carols).not.toContain('Nobody asked Carol');
    expect(carols).not.toContain('Cart 5xx rate high');
    const bobs = await mine(bob.token);
    expect(bobs).toContain('Disk full on web-1'); // acknowledged it
    expect(bobs).toContain('Cart 5xx rate high'); // paged at level 2
    expect(bobs).not.toContain('Bucket quota near');
    expect(bobs).toContain('Nobody asked Carol'); // not paged yet (level 2), but its policy names him
    expect(await mine(alice.token)).toContain('Nobody asked Carol'); // paged at level 1
    await t.api('POST', `/api/v1/incidents/${other.n}/resolve`);
    // Resolved, it stays Alice's (she was paged); the policy naming Bob counts only while it is open.
    expect(await mine(alice.token)).toContain('Nobody asked Carol');
    expect(await mine(bob.token)).not.toContain('Nobody asked Carol');
    expect(await mine(bob.token)).toContain('Disk full on web-1');
  });
});

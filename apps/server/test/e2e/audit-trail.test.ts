/**
 * The audit trail: a person changes a schedule and the schedule's history answers who, when, from
 * where, before and after; sign-ins (ok and failed), tokens, role changes and acknowledgements are on
 * it; GET /api/v1/audit filters and pages with a cursor; the CSV export parses; retention prunes by
 * the (fake) clock.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { must } from '../../src/lib/must.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('audit trail (%s)', (dialect) => {
  let t: TestKlaxon;
  let maya: { id: string; token: string };
  let scheduleId: string;

  const rota = (description: string) => ({
    name: 'Payments rota',
    description,
    timeZone: 'UTC',
    layers: [{ participants: [maya.id], turn: { unit: 'week', count: 1 }, start: '2026-03-02T09:00:00Z' }],
  });

  beforeAll(async () => {
    t = await startTestKlaxon(dialect, { auditRetentionDays: 30, pageLimits: {}, pageBundling: false });
    const u = await t.api('POST', '/api/v1/users', { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin', password: 'correct horse battery' });
    const tok = await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 'laptop' });
    maya = { id: u.body.user.id, token: tok.body.token };
    scheduleId = (await t.api('POST', '/api/v1/schedules', rota('first'))).body.schedule.id;
  });
  afterAll(() => t?.stop());

  it('answers who changed this schedule, when, from where, before and after', async () => {
    t.clock.advance(60_000);
    const changedAt = t.clock.now();
    expect((await t.api('PUT', `/api/v1/schedules/${scheduleId}`, rota('second'), maya.token)).status).toBe(200);
    const h = await t.api('GET', `/api/v1/audit?subjectType=schedule&subjectId=${scheduleId}`);
    expect(h.status).toBe(200);
    expect(h.body.entries.map((e: { action: string }) => e.action)).toEqual(['schedule.update', 'schedule.create']);
    const [update] = h.body.entries;
    expect(update).toMatchObject({ at: changedAt, actor: { type: 'user', id: maya.id, name: 'Maya Okafor' }, via: 'api', subject: { type: 'schedule', id: scheduleId } });
    expect(update.address).toMatch(/127\.0\.0\.1/);
    expect(update.before).toMatchObject({ id: scheduleId, description: 'first' });
    expect(update.after).toMatchObject({ id: scheduleId, description: 'second' });
    // By the person, too.
    const mine = await t.api('GET', `/api/v1/audit?actor=maya@example.com&action=schedule.update`);
    expect(mine.body.entries).toHaveLength(1);
  });

  it('records sign-ins (ok and failed), tokens, role changes and acknowledgements with their channel', async () => {
    const login = (password: string) =>
      fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'maya@example.com', password }) });
    expect((await login('wrong guess')).status).toBe(401);
    expect((await login('correct horse battery')).status).toBe(200);
    const auth = (await t.api('GET', '/api/v1/audit?action=auth.')).body.entries;
    expect(auth.map((e: { action: string }) => e.action)).toEqual(['auth.login', 'auth.login_failed']);
    expect(auth[1]).toMatchObject({ actor: { type: 'anonymous', id: null, name: 'maya@example.com' }, via: 'web' });
    expect(auth[0]).toMatchObject({ actor: { type: 'user', id: maya.id } });

    const sam = (await t.api('POST', '/api/v1/users', { email: 'sam@example.com', name: 'Sam', role: 'viewer' })).body.user.id;
    expect((await t.api('PATCH', `/api/v1/users/${sam}`, { role: 'responder' }, maya.token)).status).toBe(200);
    const role = (await t.api('GET', `/api/v1/audit?action=user.role.change&subjectId=${sam}`)).body.entries;
    expect(role).toHaveLength(1);
    expect(role[0]).toMatchObject({ actor: { id: maya.id }, before: { role: 'viewer' }, after: { role: 'responder' } });

    const tok = await t.api('POST', `/api/v1/users/${sam}/tokens`, { name: 'ci', readOnly: true });
    expect((await t.api('DELETE', `/api/v1/tokens/${tok.body.apiToken.id}`)).status).toBe(204);
    const tokens = (await t.api('GET', `/api/v1/audit?subjectType=token&subjectId=${tok.body.apiToken.id}`)).body.entries;
    expect(tokens.map((e: { action: string }) => e.action)).toEqual(['token.revoke', 'token.create']);
    expect(tokens[1].data).toMatchObject({ userId: sam, readOnly: true });

    const svc = (await t.api('POST', '/api/v1/services', { name: 'payments' })).body.service.id;
    const inc = (await t.api('POST', '/api/v1/incidents', { service: svc, title: 'Card payments failing' })).body.incident.id;
    const cli = await fetch(`${t.url}/api/v1/incidents/${inc}/acknowledge`, { method: 'POST', headers: { authorization: `Bearer ${maya.token}`, 'x-klaxon-client': 'cli' } });
    expect(cli.status).toBe(200);
    const acks = (await t.api('GET', `/api/v1/audit?action=incident.acknowledge&subjectId=${inc}`)).body.entries;
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ actor: { id: maya.id }, via: 'cli', subject: { type: 'incident', id: inc } });
  });

  it('records acknowledgements by SMS, voice and email link with the channel and where from', async () => {
    const noor = await addResponder(t, {
      name: 'Noor',
      email: 'noor@example.com',
      phone: '+15557770009',
      rules: [
        { type: 'email', delayMinutes: 0 },
        { type: 'sms', delayMinutes: 0 },
        { type: 'voice', delayMinutes: 0 },
      ],
    });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Ledger', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: noor.id }] }] });
    const svc = (await t.api('POST', '/api/v1/services', { name: 'ledger', escalationPolicyId: policy.body.escalationPolicy.id })).body.service.id;
    const incident = async (title: string) => (await t.api('POST', '/api/v1/incidents', { service: svc, title })).body.incident as { id: string; number: number };
    const ackEntry = async (id: string) => {
      const e = (await t.api('GET', `/api/v1/audit?action=incident.acknowledge&subjectId=${id}`)).body.entries;
      expect(e).toHaveLength(1);
      return e[0];
    };

    // SMS: "<number>A" from the person's verified phone (a signed Twilio webhook).
    const bySms = await incident('Ledger lagging');
    const answer = await t.twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: noor.phone, body: `${bySms.number}A` });
    expect(answer.body).toContain(`Incident #${bySms.number} acknowledged`);
    expect(await ackEntry(bySms.id)).toMatchObject({ actor: { type: 'user', id: noor.id, name: 'Noor' }, via: 'sms', address: noor.phone });

    // Voice: 4 pressed during the page's call; the number called is where from.
    const callsBefore = t.twilio.calls.length;
    const byVoice = await incident('Ledger stuck');
    await t.cycle();
    const call = t.twilio.calls.slice(callsBefore).find((c) => c.to === noor.phone);
    expect(call).toBeDefined();
    expect(await t.twilio.answerCall(must(call, 'the page call'), '4')).toContain(`Incident ${byVoice.number} acknowledged`);
    expect(await ackEntry(byVoice.id)).toMatchObject({ actor: { id: noor.id }, via: 'voice', address: noor.phone });

    // Email: the link's button, pressed from the client's address.
    const byEmail = await incident('Ledger down');
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('noor@example.com') && m.subject.includes('Ledger down'));
    const link = must(/(http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_\-.]+)/.exec(mail.text), 'the acknowledge link')[1];
    expect((await fetch(must(link, 'the link'), { method: 'POST' })).status).toBe(200);
    const email = await ackEntry(byEmail.id);
    expect(email).toMatchObject({ actor: { id: noor.id }, via: 'email' });
    expect(email.address).toMatch(/127\.0\.0\.1/);
  });

  it('pages with a cursor, newest first, and refuses what is wrong', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: { status: number; body: { entries: { id: string }[]; nextCursor: string | null } } = await t.api('GET', `/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.entries.length).toBeLessThanOrEqual(3);
      seen.push(...r.body.entries.map((e: { id: string }) => e.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    const all = (await t.api('GET', '/api/v1/audit?limit=500')).body.entries.map((e: { id: string }) => e.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThan(2);
    expect((await t.api('GET', '/api/v1/audit?cursor=bm9wZQ')).status).toBe(400);
    expect((await t.api('GET', '/api/v1/audit?from=10&to=5')).status).toBe(400);
    expect((await t.api('GET', '/api/v1/audit?actor=nobody@example.com')).status).toBe(400);
    const viewer = (await t.api('POST', '/api/v1/users', { email: 'vic@example.com', name: 'Vic', role: 'viewer' })).body.user.id;
    const vt = (await t.api('POST', `/api/v1/users/${viewer}/tokens`, { name: 'x' })).body.token;
    expect((await t.api('GET', '/api/v1/audit', undefined, vt)).status).toBe(403);
    expect((await t.api('GET', '/api/v1/audit/export', undefined, vt)).status).toBe(403);
  });

  it('exports as CSV that parses, and as JSON, and the export is on the trail', async () => {
    const res = await fetch(`${t.url}/api/v1/audit/export?format=csv&subjectType=schedule`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = parseCsv(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.action)).toEqual(['schedule.update', 'schedule.create']);
    expect(rows[0]).toMatchObject({ actorId: maya.id, actor: 'Maya Okafor', subjectType: 'schedule', subjectId: scheduleId, via: 'api' });
    expect(JSON.parse(must(must(rows[0], 'the audit row').before, 'the audit row before'))).toMatchObject({ description: 'first' });
    expect(JSON.parse(must(must(rows[0], 'the audit row').after, 'the audit row after'))).toMatchObject({ description: 'second' });
    const j = await fetch(`${t.url}/api/v1/audit/export?format=json&action=schedule.update`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    const entries = (await j.json()) as { action: string }[];
    expect(entries.map((e) => e.action)).toEqual(['schedule.update']);
    const exports = (await t.api('GET', '/api/v1/audit?action=audit.export')).body.entries;
    expect(exports.map((e: { data: { format: string } }) => e.data.format)).toEqual(['json', 'csv']);
    expect(exports[0]).toMatchObject({ actor: { type: 'user', name: 'Admin' }, via: 'api' });
    expect(exports[0].address).toMatch(/127\.0\.0\.1/);
    // From the CLI (its client sends X-Klaxon-Client: cli): the token's user and the CLI.
    const cli = await fetch(`${t.url}/api/v1/audit/export?format=json`, { headers: { authorization: `Bearer ${maya.token}`, 'x-klaxon-client': 'cli' } });
    expect(cli.status).toBe(200);
    await cli.text(); // read to the end, so the connection is free when the server stops
    const byCli = (await t.api('GET', '/api/v1/audit?action=audit.export')).body.entries[0];
    expect(byCli).toMatchObject({ actor: { type: 'user', id: maya.id, name: 'Maya Okafor' }, via: 'cli' });
  });

  it('retention prunes entries older than KLAXON_AUDIT_RETENTION_DAYS by the clock', async () => {
    const before = (await t.api('GET', '/api/v1/audit?limit=500')).body.entries.length;
    expect(before).toBeGreaterThan(5);
    await t.advance(29 * 86_400_000);
    expect((await t.api('GET', '/api/v1/audit?limit=500')).body.entries.length).toBe(before);
    t.clock.advance(2 * 86_400_000);
    expect((await t.api('PUT', `/api/v1/schedules/${scheduleId}`, rota('third'), maya.token)).status).toBe(200);
    await t.cycle();
    const after = (await t.api('GET', '/api/v1/audit?limit=500')).body.entries;
    expect(after.map((e: { action: string }) => e.action)).toEqual(['schedule.update']);
  });
});

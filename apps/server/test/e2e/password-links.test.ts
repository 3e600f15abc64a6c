/**
 * The admin's first hour (issue 20): invite a person by email with a link to set their own password,
 * and "forgot password". One-time, expiring links whose secret is stored hashed; the email goes
 * through the outbox to the real SMTP fake; requests are rate-limited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/lib/ids.js';
import { must } from '../../src/lib/must.js';
import { capture, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

/** The secret from the link in a mail's text (…/set-password#token=SECRET). */
const secretIn = (text: string) => decodeURIComponent(capture(/\/set-password#token=([A-Za-z0-9_%-]+)/, text));

const post = (t: TestKlaxon, path: string, body: unknown, ip?: string) =>
  fetch(`${t.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(ip && { 'x-forwarded-for': ip }) }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: r.status === 204 ? null : await r.json(),
  }));

const login = (t: TestKlaxon, email: string, password: string) => post(t, '/auth/login', { email, password });

describe.each(DIALECTS)('password links: invitations and forgot password (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
  });
  afterAll(async () => t?.stop());

  it('an admin invites a new user by email; the link sets their password once, stored only as a hash, and expires after 7 days', async () => {
    const u = await t.api('POST', '/api/v1/users', { email: 'nina@example.com', name: 'Nina Park', role: 'responder', timeZone: 'Europe/Berlin' });
    expect(u.status).toBe(201);
    const id = u.body.user.id as string;
    expect(await t.api('POST', `/api/v1/users/${id}/invite`)).toMatchObject({ status: 202 });
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('nina@example.com') && m.subject === 'You are invited to Klaxon');
    expect(mail.text).toContain('The link works once, for 7 days.');
    const secret = secretIn(mail.text);
    // Only the hash is stored.
    const rows = await t.k.ctx.db.kysely.selectFrom('password_links').selectAll().where('user_id', '=', id).execute();
    expect(rows.map((r) => r.id)).toEqual([sha256(secret)]);
    expect(rows.some((r) => r.id === secret)).toBe(false);

    expect((await post(t, '/auth/set-password', { token: secret, password: 'short' })).status).toBe(400);
    expect((await post(t, '/auth/set-password', { token: 'not-a-link', password: 'nina password 1' })).status).toBe(400);
    expect((await post(t, '/auth/set-password', { token: secret, password: 'nina password 1' })).status).toBe(204);
    expect((await login(t, 'nina@example.com', 'nina password 1')).status).toBe(200);
    // Used once: a second use is refused and changes nothing.
    const again = await post(t, '/auth/set-password', { token: secret, password: 'someone else 2' });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/used already or has expired/);
    expect((await login(t, 'nina@example.com', 'someone else 2')).status).toBe(401);

    // A second invitation expires after 7 days.
    expect((await t.api('POST', `/api/v1/users/${id}/invite`)).status).toBe(202);
    await t.cycle();
    const second = await t.smtp.waitFor((m) => m.to.includes('nina@example.com') && m.subject === 'You are invited to Klaxon' && secretIn(m.text) !== secret);
    t.clock.advance(7 * 24 * 3600_000 + 1000);
    expect((await post(t, '/auth/set-password', { token: secretIn(second.text), password: 'too late 123' })).status).toBe(400);
  });

  it('only an admin invites; an unknown user is a 404', async () => {
    const r = await t.api('POST', '/api/v1/users', { email: 'ray@example.com', name: 'Ray', role: 'responder', timeZone: 'UTC' });
    const tok = await t.api('POST', `/api/v1/users/${r.body.user.id}/tokens`, { name: 'ray' });
    expect((await t.api('POST', `/api/v1/users/${r.body.user.id}/invite`, undefined, tok.body.token)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/users/01a00000-0000-7000-8000-000000000000/invite')).status).toBe(404);
  });

  it('forgot password: a 202 whether or not the email is known; the link works for an hour and ends the old sessions', async () => {
    const u = await t.api('POST', '/api/v1/users', { email: 'omar@example.com', name: 'Omar', role: 'responder', timeZone: 'UTC', password: 'old password 1' });
    expect(u.status).toBe(201);
    const session = await login(t, 'omar@example.com', 'old password 1');
    expect(session.status).toBe(200);
    const before = t.smtp.messages.length;
    expect(await post(t, '/auth/forgot-password', { email: 'nobody@example.com' }, '10.0.0.1')).toMatchObject({ status: 202 });
    expect(await post(t, '/auth/forgot-password', { email: 'Omar@Example.com' }, '10.0.0.1')).toMatchObject({ status: 202 });
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('omar@example.com') && m.subject === 'Set a new Klaxon password');
    expect(mail.text).toContain('for 1 hour');
    expect(t.smtp.messages.slice(before).filter((m) => m.to.includes('nobody@example.com'))).toHaveLength(0);
    const secret = secretIn(mail.text);

    // An hour later the link is dead.
    t.clock.advance(3600_000 + 1000);
    expect((await post(t, '/auth/set-password', { token: secret, password: 'new password 2' })).status).toBe(400);

    expect((await post(t, '/auth/forgot-password', { email: 'omar@example.com' }, '10.0.0.2')).status).toBe(202);
    await t.cycle();
    const fresh = await t.smtp.waitFor((m) => m.to.includes('omar@example.com') && m.subject === 'Set a new Klaxon password' && secretIn(m.text) !== secret);
    expect((await post(t, '/auth/set-password', { token: secretIn(fresh.text), password: 'new password 2' })).status).toBe(204);
    expect((await login(t, 'omar@example.com', 'old password 1')).status).toBe(401);
    expect((await login(t, 'omar@example.com', 'new password 2')).status).toBe(200);
    const sessions = await t.k.ctx.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', u.body.user.id).execute();
    expect(sessions).toHaveLength(1); // only the sign-in after the change
  });

  it('forgot password is rate-limited: 3 per email and address, then one every 10 minutes; bad bodies are 400', async () => {
    const ip = '10.0.0.9';
    for (let i = 0; i < 3; i++) expect((await post(t, '/auth/forgot-password', { email: 'limit@example.com' }, ip)).status).toBe(202);
    const over = await post(t, '/auth/forgot-password', { email: 'limit@example.com' }, ip);
    expect(over.status).toBe(429);
    t.clock.advance(600_000);
    expect((await post(t, '/auth/forgot-password', { email: 'limit@example.com' }, ip)).status).toBe(202);
    expect((await post(t, '/auth/forgot-password', {}, ip)).status).toBe(400);
    expect((await post(t, '/auth/set-password', { token: 'x' }, ip)).status).toBe(400);
  });
});

describe.each(DIALECTS)('an admin marks a contact method verified with the consent recorded (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
  });
  afterAll(async () => t?.stop());

  it('admins only; the consent is required and goes to the audit log; sending a code again still works', async () => {
    const u = await t.api('POST', '/api/v1/users', { email: 'lee@example.com', name: 'Lee', role: 'responder', timeZone: 'UTC' });
    const id = u.body.user.id as string;
    const tok = (await t.api('POST', `/api/v1/users/${id}/tokens`, { name: 'lee' })).body.token as string;
    const cm = await t.api('POST', `/api/v1/users/${id}/contact-methods`, { name: 'Work', type: 'email', address: 'lee@example.com' });
    expect(cm.status).toBe(201);
    const cmId = cm.body.contactMethod.id as string;
    expect(cm.body.contactMethod.verified).toBe(false);
    // An admin sends a new code for someone.
    expect((await t.api('POST', `/api/v1/contact-methods/${cmId}/send-verification`)).status).toBe(202);
    // The owner cannot skip the code themselves.
    expect((await t.api('POST', `/api/v1/contact-methods/${cmId}/mark-verified`, { consent: 'I say so' }, tok)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/contact-methods/${cmId}/mark-verified`, {})).status).toBe(400);
    expect((await t.api('POST', `/api/v1/contact-methods/${cmId}/mark-verified`, { consent: '  ' })).status).toBe(400);
    const ok = await t.api('POST', `/api/v1/contact-methods/${cmId}/mark-verified`, { consent: 'Confirmed by phone with Lee' });
    expect(ok.status).toBe(200);
    expect(ok.body.contactMethod.verified).toBe(true);
    const log = await t.k.ctx.db.kysely.selectFrom('audit_log').selectAll().where('subject', '=', cmId).where('action', '=', 'contact_method.verify').execute();
    expect(log).toHaveLength(1);
    expect(JSON.parse(must(log[0], 'log[0]').data)).toMatchObject({ userId: id, consent: 'Confirmed by phone with Lee' });
    expect((await t.api('POST', '/api/v1/contact-methods/01a00000-0000-7000-8000-000000000000/mark-verified', { consent: 'yes' })).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const login = (t: TestKlaxon, email: string, password: string, ip?: string) =>
  fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...(ip && { 'x-forwarded-for': ip }) }, body: JSON.stringify({ email, password }) });

describe.each(DIALECTS)('changing a password needs the current one; sign-in is limited per account (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect, { trustProxy: true });
  });
  afterAll(async () => t?.stop());

  it('users changing their own password give the current one; admins resetting another user need not', async () => {
    const maya = (await t.api('POST', '/api/v1/users', { email: 'maya@example.com', name: 'Maya', role: 'responder', timeZone: 'UTC', password: 'correct horse battery' })).body.user.id as string;
    const token = (await t.api('POST', `/api/v1/users/${maya}/tokens`, { name: 't' })).body.token as string;
    const missing = await t.api('PATCH', `/api/v1/users/${maya}`, { password: 'a whole new secret' }, token);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^currentPassword: is required/);
    const wrong = await t.api('PATCH', `/api/v1/users/${maya}`, { password: 'a whole new secret', currentPassword: 'guess' }, token);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toMatch(/^currentPassword: is not your current password/);
    expect((await login(t, 'maya@example.com', 'correct horse battery')).status).toBe(200); // unchanged
    // A name change alone needs nothing.
    expect((await t.api('PATCH', `/api/v1/users/${maya}`, { name: 'Maya O.' }, token)).status).toBe(200);
    const ok = await t.api('PATCH', `/api/v1/users/${maya}`, { password: 'a whole new secret', currentPassword: 'correct horse battery' }, token);
    expect(ok.status).toBe(200);
    expect((await login(t, 'maya@example.com', 'a whole new secret')).status).toBe(200);
    // The audit log never holds either password.
    const audit = await t.k.ctx.db.kysely.selectFrom('audit_log').selectAll().execute();
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toMatch(/correct horse battery|a whole new secret/);
    // The admin resets Maya's password without knowing it.
    expect((await t.api('PATCH', `/api/v1/users/${maya}`, { password: 'reset by admin 1' })).status).toBe(200);
    expect((await login(t, 'maya@example.com', 'reset by admin 1')).status).toBe(200);
    // A user without a password (API tokens only) sets a first one without a current one.
    const bot = (await t.api('POST', '/api/v1/users', { email: 'bot@example.com', name: 'Bot', role: 'responder', timeZone: 'UTC' })).body.user.id as string;
    const botToken = (await t.api('POST', `/api/v1/users/${bot}/tokens`, { name: 't' })).body.token as string;
    expect((await t.api('PATCH', `/api/v1/users/${bot}`, { password: 'first password' }, botToken)).status).toBe(200);
  });

  it('guessing the current password through a session is limited too', async () => {
    const zoe = (await t.api('POST', '/api/v1/users', { email: 'zoe@example.com', name: 'Zoe', role: 'responder', timeZone: 'UTC', password: 'correct horse battery' })).body.user.id as string;
    const token = (await t.api('POST', `/api/v1/users/${zoe}/tokens`, { name: 't' })).body.token as string;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await t.api('PATCH', `/api/v1/users/${zoe}`, { password: 'taken over', currentPassword: `guess ${i}` }, token)).status);
    expect(statuses).toEqual([...Array(10).fill(403), 429]);
    // Even the right one waits until the bucket refills.
    expect((await t.api('PATCH', `/api/v1/users/${zoe}`, { password: 'mine again', currentPassword: 'correct horse battery' }, token)).status).toBe(429);
    t.clock.advance(60_000);
    expect((await t.api('PATCH', `/api/v1/users/${zoe}`, { password: 'mine again', currentPassword: 'correct horse battery' }, token)).status).toBe(200);
  });

  it('guesses spread over many addresses hit a per-account limit; other accounts and later attempts still sign in', async () => {
    await t.api('POST', '/api/v1/users', { email: 'ada@example.com', name: 'Ada', role: 'responder', timeZone: 'UTC', password: 'correct horse battery' });
    await t.api('POST', '/api/v1/users', { email: 'bob@example.com', name: 'Bob', role: 'responder', timeZone: 'UTC', password: 'correct horse battery' });
    // 30 wrong guesses, each from its own address (no per-address bucket is near empty).
    for (let i = 0; i < 30; i++) expect((await login(t, 'ada@example.com', `guess ${i}`, `198.51.100.${i + 1}`)).status).toBe(401);
    // The account's bucket is empty: even the right password from a fresh address waits.
    const limited = await login(t, 'ADA@example.com', 'correct horse battery', '203.0.113.7');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toMatch(/Too many sign-in attempts/);
    // Another account from the same address is not affected.
    expect((await login(t, 'bob@example.com', 'correct horse battery', '203.0.113.7')).status).toBe(200);
    // The bucket refills: one attempt every two minutes.
    t.clock.advance(120_000);
    expect((await login(t, 'ada@example.com', 'correct horse battery', '203.0.113.8')).status).toBe(200);
  });
});

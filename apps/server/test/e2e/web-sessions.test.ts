import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { startKlaxon, type Klaxon } from '../../src/app/klaxon.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { must } from '../../src/lib/must.js';
import { DIALECTS, freshDatabase, mustFind } from '../harness.js';

const DAY = 24 * 3600_000;

/** A Klaxon on an empty database (no users at all), as on first start. */
async function startEmpty(dialect: (typeof DIALECTS)[number], publicUrl = 'http://127.0.0.1:0') {
  const db = await freshDatabase(dialect);
  const clock = new FakeClock('2026-03-02T09:00:00Z');
  const k = await startKlaxon({ ...configFromEnv({}), port: 0, publicUrl, databaseUrl: db.url }, { clock, log: createLogger(process.env.KLAXON_TEST_LOG_LEVEL ?? 'silent') });
  return { k, clock, stop: async () => (await k.stop(), await db.drop()) };
}

/** A tiny browser: keeps the klaxon_session cookie between requests. */
class Browser {
  cookie: string | null = null;
  lastSetCookie: string[] = [];
  constructor(private readonly base: string) {}

  async call(method: string, path: string, o: { body?: unknown; csrf?: string; headers?: Record<string, string>; raw?: string } = {}) {
    const headers: Record<string, string> = { ...o.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (o.csrf) headers['x-csrf-token'] = o.csrf;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)) });
    this.lastSetCookie = res.headers.getSetCookie();
    for (const c of this.lastSetCookie) {
      const m = /^klaxon_session=([^;]*)/.exec(c);
      if (m) this.cookie = m[1] ? `klaxon_session=${m[1]}` : null;
    }
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  }
}

describe.each(DIALECTS)('web sessions: first-run setup, sign-in, CSRF, sign-out (%s)', (dialect) => {
  let s: Awaited<ReturnType<typeof startEmpty>>;
  let k: Klaxon;
  let admin: Browser;
  let csrf = '';
  let adminId = '';
  let adminEmail = '';

  beforeAll(async () => {
    s = await startEmpty(dialect);
    k = s.k;
    admin = new Browser(k.url);
  });
  afterAll(() => s?.stop());

  it('first-run setup: needed on an empty database, exactly one of several racing setups wins, then 409', async () => {
    const anon = new Browser(k.url);
    expect(await anon.call('GET', '/api/v1/setup')).toEqual({ status: 200, body: { needed: true } });
    expect((await anon.call('GET', '/api/v1/auth/session')).status).toBe(401);
    // Asked with ?optional=true (as the web app does), signed out is a 200 with nulls: no console error.
    expect(await anon.call('GET', '/api/v1/auth/session?optional=true')).toMatchObject({ status: 200, body: { user: null, csrfToken: null } });
    expect((await anon.call('GET', '/api/v1/auth/session?optional=yes')).status).toBe(400);
    expect((await anon.call('POST', '/api/v1/setup', { raw: 'email=a%40b.c&name=x&password=12345678&timeZone=UTC', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(
      400,
    );
    expect((await anon.call('POST', '/api/v1/setup', { body: { email: 'ada@example.com', name: 'Ada', password: 'short', timeZone: 'UTC' } })).status).toBe(400);
    expect((await anon.call('POST', '/api/v1/setup', { body: { email: 'ada@example.com', name: 'Ada', password: 'long enough', timeZone: 'Mars/Olympus' } })).status).toBe(400);

    const racers = [admin, ...Array.from({ length: 4 }, () => new Browser(k.url))];
    const results = await Promise.all(
      racers.map((b, i) =>
        b.call('POST', '/api/v1/setup', {
          body: { email: i === 0 ? 'Ada@Example.com' : `racer${i}@example.com`, name: i === 0 ? 'Ada' : `Racer ${i}`, password: 'correct horse battery', timeZone: 'Europe/Berlin' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const winner = results.findIndex((r) => r.status === 201);
    const won = must(results[winner], 'results[winner]');
    expect(won.body.user).toMatchObject({ role: 'admin', timeZone: 'Europe/Berlin' });
    expect(typeof won.body.csrfToken).toBe('string');
    expect(mustFind(results, 'the 409 result', (r) => r.status === 409).body.error.code).toBe('conflict');
    // Make the winner "admin" for the rest of the suite.
    admin = must(racers[winner], 'racers[winner]');
    csrf = won.body.csrfToken;
    adminId = won.body.user.id;
    adminEmail = won.body.user.email;
    expect(adminEmail).toBe(winner === 0 ? 'ada@example.com' : `racer${winner}@example.com`);

    expect(await anon.call('GET', '/api/v1/setup')).toEqual({ status: 200, body: { needed: false } });
    const again = await anon.call('POST', '/api/v1/setup', { body: { email: 'late@example.com', name: 'Late', password: 'correct horse battery', timeZone: 'UTC' } });
    expect(again.status).toBe(409);
    const users = await admin.call('GET', '/api/v1/users');
    expect(users.body.users).toHaveLength(1);
  });

  it('setup signed the admin in with an httpOnly SameSite=Lax cookie; the session works for /api/v1/me', async () => {
    expect(admin.cookie).toMatch(/^klaxon_session=.{20,}/);
    const me = await admin.call('GET', '/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(adminId);
    const session = await admin.call('GET', '/api/v1/auth/session');
    expect((await admin.call('GET', '/api/v1/auth/session?optional=true')).body.user.id).toBe(session.body.user.id);
    expect(session.status).toBe(200);
    expect(session.body).toEqual({ user: expect.objectContaining({ id: adminId, role: 'admin' }), csrfToken: csrf });
  });

  it('login: 200 with the user and a CSRF token, and an httpOnly, SameSite=Lax, Path=/ cookie (not Secure on http)', async () => {
    const u = await admin.call('POST', '/api/v1/users', { body: { email: 'bob@example.com', name: 'Bob', role: 'responder', password: 'bobs password', timeZone: 'UTC' }, csrf });
    expect(u.status).toBe(201);
    const bob = new Browser(k.url);
    const r = await bob.call('POST', '/api/v1/auth/login', { body: { email: 'BOB@example.com', password: 'bobs password' } });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ email: 'bob@example.com', name: 'Bob', role: 'responder' });
    expect(typeof r.body.csrfToken).toBe('string');
    const cookie = mustFind(bob.lastSetCookie, 'the session cookie', (c) => c.startsWith('klaxon_session='));
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).toMatch(/; Max-Age=2592000/i);
    expect(cookie).not.toMatch(/; Secure/i);
    expect((await bob.call('GET', '/api/v1/me')).body.user.email).toBe('bob@example.com');
  });

  it('wrong password and unknown email: the same 401; a form-encoded login is refused', async () => {
    const b = new Browser(k.url);
    const wrong = await b.call('POST', '/api/v1/auth/login', { body: { email: 'bob@example.com', password: 'not bobs password' } });
    const unknown = await b.call('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'whatever it is' } });
    expect(wrong).toEqual({ status: 401, body: { error: { code: 'unauthenticated', message: 'Wrong email or password' } } });
    expect(unknown).toEqual(wrong);
    expect(b.cookie).toBeNull();
    const form = await b.call('POST', '/api/v1/auth/login', { raw: 'email=bob%40example.com&password=bobs+password', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
    expect(b.cookie).toBeNull();
  });

  it('cookie-authenticated writes need X-CSRF-Token: none or wrong -> 403, right -> ok; Bearer tokens need none', async () => {
    const path = `/api/v1/users/${adminId}/tokens`;
    const none = await admin.call('POST', path, { body: { name: 'cli' } });
    expect(none).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'missing or wrong CSRF token' } } });
    const wrongToken = await admin.call('POST', path, { body: { name: 'cli' }, csrf: `${csrf}x` });
    expect(wrongToken.status).toBe(403);
    const del = await admin.call('DELETE', `/api/v1/users/${adminId}`);
    expect(del.status).toBe(403);
    const ok = await admin.call('POST', path, { body: { name: 'cli' }, csrf });
    expect(ok.status).toBe(201);
    // With the token, deleting yourself is still refused: nobody would be left signed in to undo it.
    expect(await admin.call('DELETE', `/api/v1/users/${adminId}`, { csrf })).toEqual({ status: 409, body: { error: { code: 'conflict', message: 'You cannot delete yourself: another admin can' } } });

    // A Bearer request carries no cookie and needs no CSRF token.
    const bearer = await fetch(`${k.url}/api/v1/teams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ok.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'SRE' }),
    });
    expect(bearer.status).toBe(201);
    // Reads with the cookie need none either.
    expect((await admin.call('GET', '/api/v1/teams')).status).toBe(200);

    // Actions taken in the web app are recorded as coming from the web app.
    const svc = await admin.call('POST', '/api/v1/services', { body: { name: 'web-svc' }, csrf });
    const inc = await admin.call('POST', '/api/v1/incidents', { body: { service: svc.body.service.id, title: 'From the browser' }, csrf });
    await admin.call('POST', `/api/v1/incidents/${inc.body.incident.number}/acknowledge`, { csrf });
    const timeline = (await admin.call('GET', `/api/v1/incidents/${inc.body.incident.number}/timeline`)).body.timeline;
    expect(timeline.map((e: { channel: string }) => e.channel)).toEqual(expect.arrayContaining(['web']));
    expect(timeline.find((e: { type: string }) => e.type === 'incident.acknowledged').channel).toBe('web');
  });

  it('sessions slide: used within 30 days they live on, unused for 30 days they end', async () => {
    s.clock.advance(29 * DAY);
    expect((await admin.call('GET', '/api/v1/me')).status).toBe(200);
    expect(admin.lastSetCookie.some((c) => /^klaxon_session=.+Max-Age=2592000/i.test(c))).toBe(true);
    s.clock.advance(29 * DAY);
    expect((await admin.call('GET', '/api/v1/me')).status).toBe(200);
    const idle = new Browser(k.url);
    await idle.call('POST', '/api/v1/auth/login', { body: { email: 'bob@example.com', password: 'bobs password' } });
    expect((await idle.call('GET', '/api/v1/me')).status).toBe(200);
    s.clock.advance(30 * DAY + 1000);
    expect((await idle.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await idle.call('GET', '/api/v1/auth/session')).status).toBe(401);
  });

  it('logout needs the CSRF token, ends the session in the database and clears the cookie', async () => {
    // The admin's session ran out while the clock moved 30 days above: sign in again.
    expect((await admin.call('GET', '/api/v1/me')).status).toBe(401);
    const login = await admin.call('POST', '/api/v1/auth/login', { body: { email: adminEmail, password: 'correct horse battery' } });
    expect(login.status).toBe(200);
    csrf = login.body.csrfToken;
    const cookieBefore = admin.cookie;
    expect((await admin.call('POST', '/api/v1/auth/logout')).status).toBe(403);
    const out = await admin.call('POST', '/api/v1/auth/logout', { csrf });
    expect(out.status).toBe(204);
    expect(admin.lastSetCookie.find((c) => c.startsWith('klaxon_session='))).toMatch(/klaxon_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
    // Even a client that keeps the old cookie is signed out.
    const stale = new Browser(k.url);
    stale.cookie = cookieBefore;
    expect((await stale.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await stale.call('GET', '/api/v1/auth/session')).status).toBe(401);
    // Logging out without a session is harmless.
    expect((await new Browser(k.url).call('POST', '/api/v1/auth/logout')).status).toBe(204);
  });

  it('a password change ends the user’s sessions everywhere', async () => {
    const phone = new Browser(k.url);
    expect((await phone.call('POST', '/api/v1/auth/login', { body: { email: 'bob@example.com', password: 'bobs password' } })).status).toBe(200);
    expect((await phone.call('GET', '/api/v1/me')).status).toBe(200);
    const bob = (await phone.call('GET', '/api/v1/me')).body.user;
    const laptop = new Browser(k.url);
    const login = await laptop.call('POST', '/api/v1/auth/login', { body: { email: 'bob@example.com', password: 'bobs password' } });
    expect((await laptop.call('PATCH', `/api/v1/users/${bob.id}`, { body: { password: 'a brand new password', currentPassword: 'bobs password' }, csrf: login.body.csrfToken })).status).toBe(200);
    expect((await phone.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await new Browser(k.url).call('POST', '/api/v1/auth/login', { body: { email: 'bob@example.com', password: 'a brand new password' } })).status).toBe(200);
  });

  it('rate-limits sign-in attempts per email and address (in memory, per instance)', async () => {
    const b = new Browser(k.url);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await b.call('POST', '/api/v1/auth/login', { body: { email: 'target@example.com', password: `guess ${i}` } })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another account from the same address is not locked out.
    expect((await b.call('POST', '/api/v1/auth/login', { body: { email: 'bob@example.com', password: 'a brand new password' } })).status).toBe(200);
    // The bucket refills with time.
    s.clock.advance(60_000);
    expect((await b.call('POST', '/api/v1/auth/login', { body: { email: 'target@example.com', password: 'again' } })).status).toBe(401);
  });
});

describe('web sessions behind https', () => {
  it('marks the cookie Secure when the public URL is https', async () => {
    const s = await startEmpty('sqlite', 'https://klaxon.example.com');
    try {
      const res = await fetch(`${s.k.url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ada@example.com', name: 'Ada', password: 'correct horse battery', timeZone: 'UTC' }),
      });
      expect(res.status).toBe(201);
      expect(res.headers.getSetCookie().find((c) => c.startsWith('klaxon_session='))).toMatch(/; Secure/i);
    } finally {
      await s.stop();
    }
  });
});

/**
 * OpenID Connect sign-in against a real provider (oidc-provider, in-process on 127.0.0.1): the whole
 * authorization code flow with PKCE through a cookie-keeping browser (Klaxon's redirect, the
 * provider's login and consent pages, the callback), the person created on first sign-in, a group
 * claim granting a global role and a team's manager role, sign-out at Klaxon and at the provider,
 * and forged answers (state from another browser, a replayed state, a wrong nonce) refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssoFromEnv } from '../../src/auth/sso-config.js';
import { must } from '../../src/lib/must.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { TestBrowser, type Page } from '../sso/browser.js';
import { freePort, startOidcIdp, type TestIdp } from '../sso/oidc-idp.js';

const CALLBACK = '/api/v1/auth/oidc/callback';

describe.each(DIALECTS)('OpenID Connect sign-in (%s)', (dialect) => {
  let t: TestKlaxon;
  let idp: TestIdp;
  let sreTeamId: string;

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestKlaxon(dialect, {
      sso: ssoFromEnv({
        KLAXON_OIDC_ISSUER: `http://127.0.0.1:${port}`,
        KLAXON_OIDC_CLIENT_ID: 'klaxon',
        KLAXON_OIDC_CLIENT_SECRET: 'klaxon-test-secret-0123456789abcdef',
        KLAXON_OIDC_SCOPES: 'openid email profile groups',
        KLAXON_OIDC_NAME: 'Test IdP',
        KLAXON_OIDC_AUTO_CREATE: 'on',
        KLAXON_OIDC_DEFAULT_ROLE: 'viewer',
        KLAXON_SSO_GROUP_MAP: JSON.stringify({ 'sre-oncall': { role: 'responder', teams: { SRE: 'manager' } }, 'db-team': { teams: { Databases: 'member' } } }),
      }),
    });
    idp = await startOidcIdp({
      port,
      klaxonUrl: t.url,
      accounts: {
        maya: { email: 'Maya.Okafor@example.com', name: 'Maya Okafor', groups: ['sre-oncall', 'unmapped'] },
        sam: { email: 'sam@example.com', name: 'Sam Lindqvist', groups: [] },
        eve: { email: 'eve@example.com', name: 'Eve', groups: [], emailVerified: false },
      },
    });
    const team = await t.api('POST', '/api/v1/teams', { name: 'SRE' });
    expect(team.status).toBe(201);
    sreTeamId = team.body.team.id;
  });
  afterAll(async () => {
    await idp?.close();
    await t?.stop();
  });

  /** Klaxon's start -> the provider's login page, signed in as `login` -> consent (first time) -> the callback, stopping there. */
  async function toCallback(b: TestBrowser, login: string, returnTo = '/incidents'): Promise<Page> {
    const isCallback = (u: string) => u.startsWith(`${t.url}${CALLBACK}`);
    let page = await b.go(`${t.url}/api/v1/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`, {}, isCallback);
    if (isCallback(page.url)) return page;
    expect(page.url.startsWith(idp.issuer)).toBe(true);
    if (/name="login"/.test(page.body)) page = await b.submit(page, { login, password: 'any' }, isCallback);
    if (!isCallback(page.url) && /name="prompt" value="consent"/.test(page.body)) page = await b.submit(page, {}, isCallback);
    expect(page.url.startsWith(`${t.url}${CALLBACK}`)).toBe(true);
    return page;
  }

  async function session(b: TestBrowser) {
    const r = await b.request(`${t.url}/api/v1/auth/session?optional=true`, { headers: { accept: 'application/json' } });
    return (await r.json()) as { user: { id: string; email: string; name: string; role: string } | null; csrfToken: string | null };
  }

  it('says on the sign-in screen how to sign in', async () => {
    const r = await fetch(`${t.url}/api/v1/auth/providers`);
    expect(await r.json()).toEqual({ password: true, oidc: { name: 'Test IdP', startUrl: '/api/v1/auth/oidc/start' }, saml: null });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const b = new TestBrowser();
    const r = await b.request(`${t.url}/api/v1/auth/oidc/start`);
    expect(r.status).toBe(302);
    const to = new URL(must(r.headers.get('location'), 'the location header'));
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(to.searchParams.get('nonce')).toMatch(/^[\w-]{40,}$/);
    expect(to.searchParams.get('state')).toBe(b.cookie(`${t.url}/api/v1/auth/oidc/callback`, 'klaxon_oidc_state'));
    expect(to.searchParams.get('redirect_uri')).toBe(`${t.url}${CALLBACK}`);
    expect(to.searchParams.get('scope')).toBe('openid email profile groups');
  });

  it('signs a new person in through the provider, creates them, and grants what their groups map to', async () => {
    const b = new TestBrowser();
    const cb = await toCallback(b, 'maya');
    const landed = await b.go(cb.url);
    // Back in Klaxon, at the page the sign-in started from, with a session.
    expect(landed.trail.at(-1)).toBe(`${t.url}/incidents`);
    const s = await session(b);
    expect(s.user).toMatchObject({ email: 'maya.okafor@example.com', name: 'Maya Okafor', role: 'responder' });
    const team = await t.api('GET', `/api/v1/teams/${sreTeamId}`);
    expect(team.body.team.members).toEqual([{ userId: must(s.user, 'the user of the session').id, role: 'manager' }]);
    // The session works for the API like a password session (CSRF token on writes).
    const me = await b.request(`${t.url}/api/v1/users/${must(s.user, 'the user of the session').id}`, { headers: { accept: 'application/json' } });
    expect(me.status).toBe(200);
    const audit = await t.k.ctx.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('subject', 'in', [must(s.user, 'the user of the session').id, sreTeamId])
      .orderBy('at')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['user.create', 'team.member-add', 'auth.sso-sign-in']));

    // Leaving the group at the provider takes the team and keeps the role no group grants any more as it was.
    must(idp.accounts.get('maya'), 'the IdP account maya').groups = [];
    const b2 = new TestBrowser();
    await b2.go((await toCallback(b2, 'maya')).url);
    expect((await session(b2)).user?.id).toBe(must(s.user, 'the user of the session').id);
    expect((await t.api('GET', `/api/v1/teams/${sreTeamId}`)).body.team.members).toEqual([]);
    must(idp.accounts.get('maya'), 'the IdP account maya').groups = ['sre-oncall'];
  });

  it('signs out at Klaxon and at the provider (RP-initiated logout)', async () => {
    const b = new TestBrowser();
    await b.go((await toCallback(b, 'maya')).url);
    const s = await session(b);
    expect(s.user).not.toBeNull();
    // Without the CSRF token, a cross-site form cannot sign anyone out.
    expect((await b.request(`${t.url}/api/v1/auth/sso/logout`, { method: 'POST' })).status).toBe(403);
    const out = await b.request(`${t.url}/api/v1/auth/sso/logout`, { method: 'POST', headers: { 'x-csrf-token': must(s.csrfToken, 'the CSRF token of the session'), accept: 'application/json' } });
    expect(out.status).toBe(200);
    const { redirectUrl } = (await out.json()) as { redirectUrl: string };
    expect(new URL(redirectUrl).origin).toBe(idp.issuer);
    expect(new URL(redirectUrl).searchParams.get('post_logout_redirect_uri')).toBe(`${t.url}/login`);
    expect((await session(b)).user).toBeNull();
    // The provider asks to confirm, then sends the browser back to Klaxon's sign-in page.
    const confirm = await b.go(redirectUrl);
    const back = await b.submit(confirm, { logout: 'yes' }, (u) => u.startsWith(t.url));
    expect(back.url).toBe(`${t.url}/login`);
    // The provider's session ended too: signing in again asks for the login.
    const again = await b.go(`${t.url}/api/v1/auth/oidc/start`, {}, (u) => u.startsWith(`${t.url}${CALLBACK}`));
    expect(again.body).toMatch(/name="login"/);
  });

  it('refuses a callback whose state this browser did not start (login CSRF), and a state used twice', async () => {
    const victim = new TestBrowser();
    const attacker = new TestBrowser();
    const cb = await toCallback(attacker, 'sam');
    // The attacker's callback URL (their code and state) opened in the victim's browser.
    const r = await victim.go(cb.url);
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/not started in this browser/);
    expect((await session(victim)).user).toBeNull();
    // The attacker's own browser may use it once ...
    expect((await attacker.go(cb.url)).trail.at(-1)).toBe(`${t.url}/incidents`);
    // ... and not again (the state's record is used up), even with the cookie put back.
    attacker.setCookie(t.url, 'klaxon_oidc_state', must(new URL(cb.url).searchParams.get('state'), 'state in the callback URL'), '/api/v1/auth/oidc');
    const replay = await attacker.request(cb.url, { headers: { accept: 'application/json' } });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: { message: string } }).error.message).toMatch(/unknown, used already or expired/);
  });

  it('refuses an ID token whose nonce is not the one Klaxon sent', async () => {
    const b = new TestBrowser();
    const cb = await toCallback(b, 'sam');
    const state = must(new URL(cb.url).searchParams.get('state'), 'state in the callback URL');
    // Swap the nonce Klaxon recorded for this sign-in: the provider's ID token then carries another.
    const { sha256 } = await import('../../src/lib/ids.js');
    await t.k.ctx.db.kysely.updateTable('sso_requests').set({ nonce: 'forged-nonce' }).where('id', '=', sha256(state)).execute();
    const r = await b.request(cb.url, { headers: { accept: 'application/json' } });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/nonce/);
    expect((await session(b)).user).toBeNull();
  });

  it('refuses a state the provider never saw, an expired sign-in, a provider error and an unverified email', async () => {
    const b = new TestBrowser();
    b.setCookie(t.url, 'klaxon_oidc_state', 'made-up', '/api/v1/auth/oidc');
    expect((await b.request(`${t.url}${CALLBACK}?code=abc&state=made-up`)).status).toBe(400);

    const slow = new TestBrowser();
    const cb = await toCallback(slow, 'sam');
    t.clock.advance(11 * 60_000);
    const late = await slow.go(cb.url);
    expect(late.status).toBe(400);
    expect(late.body).toMatch(/expired/);

    const denied = new TestBrowser();
    const start = await denied.request(`${t.url}/api/v1/auth/oidc/start`);
    const state = must(new URL(must(start.headers.get('location'), 'location of the OIDC start')).searchParams.get('state'), 'state in the OIDC start redirect');
    const err = await denied.go(`${t.url}${CALLBACK}?error=access_denied&error_description=no+entry&state=${state}`);
    expect(err.status).toBe(400);
    expect(err.body).toMatch(/access_denied \(no entry\)/);

    const eve = new TestBrowser();
    const r = await eve.go((await toCallback(eve, 'eve')).url);
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/not verified/);
    expect((await t.api('GET', '/api/v1/users')).body.users.map((u: { email: string }) => u.email)).not.toContain('eve@example.com');
  });
});

describe('OpenID Connect without creating people, and with passwords off', () => {
  let t: TestKlaxon;
  let idp: TestIdp;

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestKlaxon('sqlite', {
      sso: ssoFromEnv({
        KLAXON_OIDC_ISSUER: `http://127.0.0.1:${port}`,
        KLAXON_OIDC_CLIENT_ID: 'klaxon',
        KLAXON_OIDC_CLIENT_SECRET: 'klaxon-test-secret-0123456789abcdef',
        KLAXON_PASSWORD_SIGNIN: 'off',
        KLAXON_BREAK_GLASS_EMAILS: 'root@test.local',
      }),
    });
    idp = await startOidcIdp({ port, klaxonUrl: t.url, accounts: { stranger: { email: 'stranger@example.com', name: 'Stranger', groups: [] } } });
    for (const email of ['root@test.local', 'pat@test.local'])
      expect((await t.api('POST', '/api/v1/users', { email, name: email, role: 'admin', password: 'correct horse battery' })).status).toBe(201);
  });
  afterAll(async () => {
    await idp?.close();
    await t?.stop();
  });

  it('refuses a person with no account when KLAXON_OIDC_AUTO_CREATE is off', async () => {
    const b = new TestBrowser();
    let page = await b.go(`${t.url}/api/v1/auth/oidc/start`, {}, (u) => u.startsWith(`${t.url}${CALLBACK}`));
    page = await b.submit(page, { login: 'stranger', password: 'x' }, (u) => u.startsWith(`${t.url}${CALLBACK}`));
    if (!page.url.startsWith(`${t.url}${CALLBACK}`)) page = await b.submit(page, {}, (u) => u.startsWith(`${t.url}${CALLBACK}`));
    const r = await b.go(page.url);
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/no Klaxon account for stranger@example.com/);
  });

  it('lets only the break-glass admin sign in with a password, and records it', async () => {
    expect((await (await fetch(`${t.url}/api/v1/auth/providers`)).json()).password).toBe(false);
    const login = (email: string) =>
      fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) });
    const pat = await login('pat@test.local');
    expect(pat.status).toBe(403);
    expect(((await pat.json()) as { error: { message: string } }).error.message).toMatch(/Password sign-in is off/);
    expect((await login('ROOT@test.local')).status).toBe(200);
    const rows = await t.k.ctx.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'auth.break-glass-sign-in').execute();
    expect(rows).toHaveLength(1);
  });
});

/**
 * SAML 2.0 sign-in against a real IdP from a library (samlify, with a key and certificate made now):
 * SP metadata served, the AuthnRequest by redirect, a signed assertion POSTed to the ACS signs the
 * person in (created, groups mapped); refused: a bad signature, an unsigned assertion, a replayed
 * response, an answer to a request Klaxon never made (InResponseTo), and an assertion from beyond the
 * allowed clock skew.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssoFromEnv } from '../../src/auth/sso-config.js';
import { must } from '../../src/lib/must.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { TestBrowser } from '../sso/browser.js';
import { keyPair, TestSamlIdp } from '../sso/saml-idp.js';

describe.each(DIALECTS)('SAML 2.0 sign-in (%s)', (dialect) => {
  let t: TestKlaxon;
  let idp: TestSamlIdp;
  let spMetadata: string;
  let teamId: string;

  beforeAll(async () => {
    idp = await TestSamlIdp.start();
    t = await startTestKlaxon(dialect, {
      sso: ssoFromEnv({
        KLAXON_SAML_IDP_METADATA: idp.metadata,
        KLAXON_SAML_NAME: 'Test SAML',
        KLAXON_SAML_AUTO_CREATE: 'on',
        KLAXON_SSO_GROUP_MAP: JSON.stringify({ 'db-admins': { role: 'admin', teams: { Databases: 'manager' } } }),
      }),
    });
    teamId = (await t.api('POST', '/api/v1/teams', { name: 'Databases' })).body.team.id;
    const m = await fetch(`${t.url}/api/v1/auth/saml/metadata`);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    spMetadata = await m.text();
  });
  afterAll(() => t?.stop());

  /** Klaxon's start: the IdP URL with the AuthnRequest, and that request's ID. */
  async function start(b: TestBrowser, returnTo = '/schedules') {
    const r = await b.request(`${t.url}/api/v1/auth/saml/start?returnTo=${encodeURIComponent(returnTo)}`);
    expect(r.status).toBe(302);
    const url = must(r.headers.get('location'), 'the location header');
    return { url, requestId: TestSamlIdp.requestId(url), relayState: must(new URL(url).searchParams.get('RelayState'), 'RelayState in the redirect') };
  }

  const post = (b: TestBrowser, samlResponse: string, relayState = '/') =>
    b.request(`${t.url}/api/v1/auth/saml/acs`, {
      method: 'POST',
      body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });

  const signedIn = async (b: TestBrowser) => (await (await b.request(`${t.url}/api/v1/auth/session?optional=true`, { headers: { accept: 'application/json' } })).json()).user;

  it('serves SP metadata that asks for signed assertions at the ACS', () => {
    expect(spMetadata).toContain(`entityID="${t.url}/api/v1/auth/saml/metadata"`);
    expect(spMetadata).toMatch(/WantAssertionsSigned="true"/);
    expect(spMetadata).toContain(`Location="${t.url}/api/v1/auth/saml/acs"`);
  });

  it('signs a person in with a signed assertion, creates them and maps their groups', async () => {
    expect((await (await fetch(`${t.url}/api/v1/auth/providers`)).json()).saml).toEqual({ name: 'Test SAML', startUrl: '/api/v1/auth/saml/start' });
    const b = new TestBrowser();
    const s = await start(b);
    expect(s.url.startsWith('https://idp.test.local/saml/sso?')).toBe(true);
    expect(s.relayState).toBe('/schedules');
    const res = await post(b, await idp.respond(spMetadata, s.requestId, { email: 'Dana@Example.com', name: 'Dana Kim', groups: ['db-admins'] }), s.relayState);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/schedules');
    const user = await signedIn(b);
    expect(user).toMatchObject({ email: 'dana@example.com', name: 'Dana Kim', role: 'admin' });
    expect((await t.api('GET', `/api/v1/teams/${teamId}`)).body.team.members).toEqual([{ userId: user.id, role: 'manager' }]);
    const audit = await t.k.ctx.db.kysely.selectFrom('audit_log').select('action').where('actor', '=', 'single sign-on (SAML)').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['user.create', 'team.member-add', 'auth.sso-sign-in']));
  });

  it('refuses a replayed response, and an assertion ID seen before', async () => {
    const b = new TestBrowser();
    const s = await start(b);
    const response = await idp.respond(spMetadata, s.requestId, { email: 'dana@example.com' });
    expect((await post(b, response)).status).toBe(303);
    const thief = new TestBrowser();
    const again = await post(thief, response);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/refused|used already/);
    expect(await signedIn(thief)).toBeNull();
    // The same assertion ID again, freshly signed and answering a new request: still refused.
    const s1 = await start(b);
    expect((await post(b, await idp.respond(spMetadata, s1.requestId, { email: 'dana@example.com' }, { assertionId: '_assertion-once' }))).status).toBe(303);
    const s2 = await start(b);
    const reused = await post(b, await idp.respond(spMetadata, s2.requestId, { email: 'dana@example.com' }, { assertionId: '_assertion-once' }));
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: { message: string } }).error.message).toMatch(/used already \(a replay\)/);
  });

  it('refuses an assertion signed by another key (a forgery), and an altered one', async () => {
    const b = new TestBrowser();
    const s = await start(b);
    const forger = await TestSamlIdp.start(await keyPair('idp.test.local'));
    const forged = await post(b, await forger.respond(spMetadata, s.requestId, { email: 'dana@example.com', groups: ['db-admins'] }));
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/signature/i);
    expect(await signedIn(b)).toBeNull();
    // The real IdP's signed answer with the email changed after signing.
    const s2 = await start(b);
    const good = Buffer.from(await idp.respond(spMetadata, s2.requestId, { email: 'sam@example.com' }), 'base64').toString('utf8');
    const altered = Buffer.from(good.replace('sam@example.com', 'dana@example.com')).toString('base64');
    const r = await post(b, altered);
    expect(r.status).toBe(400);
    expect(await signedIn(b)).toBeNull();
  });

  it('refuses an assertion that is not signed, even in a signed response', async () => {
    const b = new TestBrowser();
    const s = await start(b);
    // samlify signs the whole message instead of the assertion when the SP does not ask for signed assertions.
    const unsigned = await idp.respond(spMetadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"'), s.requestId, { email: 'dana@example.com' });
    expect(Buffer.from(unsigned, 'base64').toString('utf8')).not.toMatch(/<saml:Assertion[^>]*>.*<ds:Signature/s);
    const r = await post(b, unsigned);
    expect(r.status).toBe(400);
    expect(await signedIn(b)).toBeNull();
  });

  it('refuses an answer to a request Klaxon never made (InResponseTo), and one from beyond the clock skew', async () => {
    const b = new TestBrowser();
    const r = await post(b, await idp.respond(spMetadata, '_made_up_request', { email: 'dana@example.com' }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/InResponseTo/);
    // Not valid for another 10 minutes: beyond the 60 s allowed.
    const s = await start(b);
    const early = await post(b, await idp.respond(spMetadata, s.requestId, { email: 'dana@example.com' }, { notBeforeMs: 10 * 60_000 }));
    expect(early.status).toBe(400);
    expect(((await early.json()) as { error: { message: string } }).error.message).toMatch(/not yet valid/i);
    // 30 s ahead is within the skew.
    const s2 = await start(b);
    expect((await post(b, await idp.respond(spMetadata, s2.requestId, { email: 'dana@example.com' }, { notBeforeMs: 30_000 }))).status).toBe(303);
  });

  it('refuses an assertion from another issuer, even signed with the right key', async () => {
    const b = new TestBrowser();
    const s = await start(b);
    const r = await post(b, await idp.respond(spMetadata, s.requestId, { email: 'dana@example.com' }, { issuer: 'https://evil.test.local/saml' }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/issuer/i);
    expect(await signedIn(b)).toBeNull();
  });

  it('refuses a person deactivated through provisioning', async () => {
    await t.k.ctx.db.kysely.updateTable('users').set({ deactivated_at: t.clock.now() }).where('email', '=', 'dana@example.com').execute();
    const b = new TestBrowser();
    const s = await start(b);
    const r = await post(b, await idp.respond(spMetadata, s.requestId, { email: 'dana@example.com' }));
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/deactivated/);
    expect(await signedIn(b)).toBeNull();
    await t.k.ctx.db.kysely.updateTable('users').set({ deactivated_at: null }).where('email', '=', 'dana@example.com').execute();
  });

  it('refuses a POST without a SAMLResponse with a 400', async () => {
    const r = await new TestBrowser().request(`${t.url}/api/v1/auth/saml/acs`, {
      method: 'POST',
      body: 'x=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    expect(r.status).toBe(400);
  });
});

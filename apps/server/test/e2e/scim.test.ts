/**
 * SCIM 2.0 at /scim/v2, driven like an identity provider's SCIM client, from RFC 7644's examples:
 * discovery (ServiceProviderConfig, ResourceTypes, Schemas), Users (POST, filter userName eq, paging,
 * GET, PUT, PATCH add/replace/remove incl. active, DELETE then 404), Groups as teams (POST, PATCH add
 * and remove members, PUT, DELETE), errors in SCIM's shape, and the bearer token. Deactivation: the
 * person's session and API token stop working at once, their rotation turns become a gap that the
 * team's manager is warned about before it starts, and escalation levels stop naming them; all audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/auth/sessions.js';
import { ssoFromEnv } from '../../src/auth/sso-config.js';
import { authenticateToken } from '../../src/auth/tokens.js';
import { setDeactivated } from '../../src/user/store.js';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const TOKEN = 'scim-test-token-0123456789abcdefghijklmnop';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

describe.each(DIALECTS)('SCIM 2.0 provisioning (%s)', (dialect) => {
  let t: TestKlaxon;

  async function scim(method: string, path: string, body?: unknown, token = TOKEN): Promise<{ status: number; body: any; type: string | null; headers: Headers }> {
    const res = await fetch(`${t.url}/scim/v2${path}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/scim+json' }), accept: 'application/scim+json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, type: res.headers.get('content-type'), headers: res.headers };
  }

  beforeAll(async () => {
    t = await startTestKlaxon(dialect, { sso: ssoFromEnv({ KLAXON_SCIM_TOKEN: TOKEN }) });
  });
  afterAll(() => t?.stop());

  it('describes itself: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
    const spc = await scim('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.type).toMatch(/^application\/scim\+json/);
    expect(spc.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, bulk: { supported: false }, authenticationSchemes: [{ type: 'oauthbearertoken' }] });
    const rt = await scim('GET', '/ResourceTypes');
    expect(rt.body.Resources.map((r: { endpoint: string; schema: string }) => [r.endpoint, r.schema])).toEqual([
      ['/Users', USER],
      ['/Groups', GROUP],
    ]);
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER, GROUP]);
    expect((await scim('GET', `/Schemas/${USER}`)).body.attributes.map((a: { name: string }) => a.name)).toContain('active');
  });

  it('refuses a request without the token, or with a wrong one, in SCIM error form', async () => {
    for (const token of ['', 'wrong-token']) {
      const r = await scim('GET', '/Users', undefined, token);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ schemas: [ERROR], status: '401', detail: expect.stringContaining('SCIM token') });
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // The API's own tokens are not SCIM tokens.
    expect((await scim('GET', '/Users', undefined, t.adminToken)).status).toBe(401);
  });

  it('creates, finds, pages, reads, replaces, patches and deletes Users (RFC 7644 §3.3-3.6)', async () => {
    // §3.3's request as it is: userName "bjensen" is no email, and Klaxon's people are their email.
    const bare = await scim('POST', '/Users', {
      schemas: [USER],
      userName: 'bjensen',
      externalId: 'bjensen',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    });
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    // With RFC 7643 §8.2's work email, it is created.
    const created = await scim('POST', '/Users', {
      schemas: [USER],
      userName: 'bjensen',
      externalId: 'bjensen',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      schemas: [USER],
      userName: 'bjensen@example.com',
      externalId: 'bjensen',
      displayName: 'Ms. Barbara J Jensen III',
      active: true,
      meta: { resourceType: 'User' },
    });
    expect(created.headers.get('location')).toBe(`${t.url}/scim/v2/Users/${id}`);
    expect((await t.api('GET', `/api/v1/users/${id}`)).body.user).toMatchObject({ email: 'bjensen@example.com', role: 'responder' });
    // Again: uniqueness.
    const dup = await scim('POST', '/Users', { schemas: [USER], userName: 'BJensen@example.com' });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');

    // §3.4.2.2: filter userName eq (case-insensitive), and a filter that does not parse.
    const found = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "BJENSEN@example.com"')}`);
    expect(found.body).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(found.body.Resources[0].id).toBe(id);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`)).body.totalResults).toBe(0);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "bjensen" and active eq true')}`)).body.totalResults).toBe(1);
    const bad = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');

    // §3.4.2.4 paging: the admin, Barbara and three more; two at a time.
    for (const n of [1, 2, 3]) expect((await scim('POST', '/Users', { schemas: [USER], userName: `user${n}@example.com` })).status).toBe(201);
    const page2 = await scim('GET', '/Users?startIndex=3&count=2');
    expect(page2.body).toMatchObject({ totalResults: 5, startIndex: 3, itemsPerPage: 2 });
    const all = await scim('GET', '/Users?count=200');
    expect(page2.body.Resources.map((r: { id: string }) => r.id)).toEqual(all.body.Resources.slice(2, 4).map((r: { id: string }) => r.id));
    expect((await scim('GET', '/Users?count=0')).body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    expect((await scim('GET', '/Users?startIndex=x')).status).toBe(400);

    // §3.5.1 PUT replaces.
    const put = await scim('PUT', `/Users/${id}`, { schemas: [USER], userName: 'bjensen@example.com', name: { givenName: 'Babs', familyName: 'Jensen' }, active: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ displayName: 'Babs Jensen', active: true });
    expect(put.body.externalId).toBeUndefined();

    // §3.5.2: replace without a path, add with a path, remove.
    const p1 = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { displayName: 'Barbara Jensen', 'name.givenName': 'Barbara' } }] });
    expect(p1.status).toBe(200);
    expect(p1.body.displayName).toBe('Barbara Jensen');
    expect((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'externalId', value: 'bj-1' }] })).body.externalId).toBe('bj-1');
    expect((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'externalId' }] })).body.externalId).toBeUndefined();
    // Entra ID sends "Replace" and "False".
    const off = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.body.active).toBe(false);
    const on = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.body.active).toBe(true);
    // Malformed PATCH bodies.
    expect((await scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] })).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'move', path: 'active' }] })).body.scimType).toBe('invalidSyntax');
    expect((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'active' }] })).body.scimType).toBe('mutability');
    expect((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: 'perhaps' }] })).body.scimType).toBe('invalidValue');
    expect((await scim('POST', '/Users', '{not json')).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });

    // §3.6 DELETE: 204, then 404 for every operation on it; the person stays for the history, deactivated.
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    const gone = await scim('GET', `/Users/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ schemas: [ERROR], status: '404', detail: `User ${id} not found` });
    expect((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] })).status).toBe(404);
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(404);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "bjensen@example.com"')}`)).body.totalResults).toBe(0);
    // Provisioned again, the same person comes back.
    const back = await scim('POST', '/Users', { schemas: [USER], userName: 'bjensen@example.com', displayName: 'Barbara Jensen' });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ id, active: true });
  });

  it('keeps Groups as teams: create with members, add and remove members (§3.5.2.1-2), rename, delete', async () => {
    const a = (await scim('POST', '/Users', { schemas: [USER], userName: 'ga@example.com' })).body.id;
    const b = (await scim('POST', '/Users', { schemas: [USER], userName: 'gb@example.com' })).body.id;
    const g = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Tour Guides', externalId: 'tg', members: [{ value: a }] });
    expect(g.status).toBe(201);
    expect(g.body).toMatchObject({ schemas: [GROUP], displayName: 'Tour Guides', externalId: 'tg', members: [{ value: a, type: 'User' }] });
    const id = g.body.id;
    expect((await t.api('GET', `/api/v1/teams/${id}`)).body.team).toMatchObject({ name: 'Tour Guides', members: [{ userId: a, role: 'member' }] });
    const add = await scim('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ display: 'GB', value: b }] }] });
    expect(add.body.members.map((m: { value: string }) => m.value)).toEqual([a, b]);
    const rm = await scim('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${a}"]` }] });
    expect(rm.body.members.map((m: { value: string }) => m.value)).toEqual([b]);
    // Entra ID's remove: path "members" with the members as the value.
    const rm2 = await scim('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: b }] }] });
    expect(rm2.body.members).toEqual([]);
    expect((await scim('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }] })).body.scimType).toBe('invalidValue');
    expect((await scim('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'owner', value: 'x' }] })).body.scimType).toBe('invalidPath');
    const put = await scim('PUT', `/Groups/${id}`, { schemas: [GROUP], displayName: 'Guides', members: [{ value: a }, { value: b }] });
    expect(put.body).toMatchObject({ displayName: 'Guides', members: [{ value: a }, { value: b }] });
    expect((await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "guides"')}`)).body.totalResults).toBe(1);
    expect((await scim('GET', '/Groups?excludedAttributes=members')).body.Resources.every((r: object) => !('members' in r))).toBe(true);
    expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Guides' })).status).toBe(409);
    expect((await scim('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect((await scim('GET', `/Groups/${id}`)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/teams/${id}`)).status).toBe(404);
  });

  it('answers an unknown SCIM path with a SCIM 404', async () => {
    const r = await scim('GET', '/Bulk');
    expect(r.status).toBe(404);
    expect(r.body.schemas).toEqual([ERROR]);
  });

  it("deactivation ends sessions and tokens at once, leaves a gap in the rotation that the team's manager hears of before it starts, and takes the person out of escalation", async () => {
    // Olga manages SRE and gets schedule notices by email.
    const olga = await addResponder(t, { name: 'Olga', email: 'olga@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const maya = (await scim('POST', '/Users', { schemas: [USER], userName: 'maya@example.com', displayName: 'Maya Okafor' })).body.id as string;
    const sam = (await scim('POST', '/Users', { schemas: [USER], userName: 'sam@example.com', displayName: 'Sam Lindqvist' })).body.id as string;
    const team = await t.api('POST', '/api/v1/teams', { name: 'SRE', members: [{ userId: olga.id, role: 'manager' }] });
    expect(team.status).toBe(201);
    const g = await scim('PATCH', `/Groups/${team.body.team.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: maya }, { value: sam }] }] });
    expect(g.body.members).toHaveLength(3);
    // Now is Monday 2 March 09:00 UTC: day turns Maya (1 Mar), Sam (2 Mar), Maya (3 Mar), ...
    const schedule = await t.api('POST', '/api/v1/schedules', {
      name: 'SRE primary',
      teamId: 'SRE',
      timeZone: 'UTC',
      layers: [{ name: 'primary', participants: [maya, sam], turn: { unit: 'day', count: 1 }, start: '2026-03-01T00:00' }],
      gapNoticeDays: 3,
      handoffNoticeMinutes: 0,
    });
    expect(schedule.status).toBe(201);
    const scheduleId = schedule.body.schedule.id;
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'SRE',
      levels: [
        { delayMinutes: 5, targets: [{ type: 'user', id: maya }] },
        {
          delayMinutes: 5,
          targets: [
            { type: 'user', id: maya },
            { type: 'schedule', id: scheduleId },
          ],
        },
      ],
    });
    expect(policy.status).toBe(201);
    // Maya also covers Sam's Wednesday with an override.
    const override = await t.api('POST', `/api/v1/schedules/${scheduleId}/overrides`, { userIds: [maya], start: '2026-03-04T00:00', end: '2026-03-05T00:00' });
    expect(override.status).toBe(201);
    await t.cycle();
    expect((await t.api('GET', `/api/v1/schedules/${scheduleId}/gaps?days=3`)).body.gaps).toEqual([]);

    // Maya has a browser session and an API token.
    const session = await createSession(t.k.ctx, maya);
    const token = (await t.api('POST', `/api/v1/users/${maya}/tokens`, { name: 'laptop' })).body.token as string;
    expect((await t.api('GET', '/api/v1/incidents', undefined, token)).status).toBe(200);
    const sessionOk = () => fetch(`${t.url}/api/v1/auth/session`, { headers: { cookie: `klaxon_session=${session.token}` } }).then((r) => r.status);
    expect(await sessionOk()).toBe(200);

    // The identity provider deactivates her.
    const off = await scim('PATCH', `/Users/${maya}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(await sessionOk()).toBe(401);
    expect((await t.api('GET', '/api/v1/incidents', undefined, token)).status).toBe(401);

    // Her turns are turns nobody covers: the schedule shows the gap (tomorrow, all day) ...
    const s = (await t.api('GET', `/api/v1/schedules/${scheduleId}`)).body.schedule;
    expect(s.layers[0].participants).toEqual([[], sam]);
    // Her override of Wednesday, with nobody left on it, is gone: Sam's own turn is back.
    expect((await t.api('GET', `/api/v1/schedules/${scheduleId}/overrides`)).body.overrides).toEqual([]);
    const gaps = (await t.api('GET', `/api/v1/schedules/${scheduleId}/gaps?days=3`)).body.gaps;
    expect(gaps[0]).toEqual({ start: Date.parse('2026-03-03T00:00:00Z'), end: Date.parse('2026-03-04T00:00:00Z') });
    // ... and the team's manager hears of it before it starts.
    await t.cycle();
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('olga@example.com') && /gap/i.test(m.subject + m.text));
    expect(mail.text).toMatch(/SRE primary/);
    expect(t.clock.now()).toBeLessThan(Date.parse('2026-03-03T00:00:00Z'));

    // Escalation no longer names her; the level that named only her is gone.
    const levels = (await t.api('GET', `/api/v1/escalation-policies/${policy.body.escalationPolicy.id}`)).body.escalationPolicy.levels;
    expect(levels).toEqual([expect.objectContaining({ targets: [{ type: 'schedule', id: scheduleId }] })]);
    // Nor is she on the team.
    expect((await t.api('GET', `/api/v1/teams/${team.body.team.id}`)).body.team.members.map((m: { userId: string }) => m.userId)).not.toContain(maya);

    // Every step is on the audit trail.
    const trail = await t.k.ctx.db.kysely.selectFrom('audit_log').select(['action', 'subject', 'actor']).where('actor', '=', 'SCIM provisioning').where('at', '>=', t.clock.now()).execute();
    expect(trail).toEqual(
      expect.arrayContaining([
        { action: 'user.deactivate', subject: maya, actor: 'SCIM provisioning' },
        { action: 'user.sessions-and-tokens-ended', subject: maya, actor: 'SCIM provisioning' },
        { action: 'schedule.participant-removed', subject: scheduleId, actor: 'SCIM provisioning' },
        { action: 'schedule.override-removed', subject: scheduleId, actor: 'SCIM provisioning' },
        { action: 'escalation.target-removed', subject: policy.body.escalationPolicy.id, actor: 'SCIM provisioning' },
        { action: 'team.member-remove', subject: team.body.team.id, actor: 'SCIM provisioning' },
      ]),
    );
    // A deactivated person cannot sign in with a password either.
    expect((await t.api('PATCH', `/api/v1/users/${maya}`, { password: 'correct horse battery' })).status).toBe(200);
    const login = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'maya@example.com', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(401);
  });

  it('an admin creates, rotates and revokes a SCIM token from the API: stored hashed, shown once, audited; KLAXON_SCIM_TOKEN keeps working', async () => {
    expect((await t.api('GET', '/api/v1/scim-token')).body.scimToken).toEqual({ stored: null, environment: true });
    const vera = await addResponder(t, { name: 'Vera', email: 'vera.scim@example.com', rules: [] });
    expect((await t.api('POST', '/api/v1/scim-token', undefined, vera.token)).status).toBe(403);
    const created = await t.api('POST', '/api/v1/scim-token');
    expect(created.status).toBe(201);
    const first = created.body.token as string;
    expect(created.body.scimToken.stored).toMatchObject({ hint: first.slice(-4), createdAt: t.clock.now() });
    expect((await scim('GET', '/Users', undefined, first)).status).toBe(200);
    expect((await scim('GET', '/Users')).status).toBe(200); // the environment's token still works
    const state = await t.api('GET', '/api/v1/scim-token');
    expect(JSON.stringify(state.body)).not.toContain(first);
    // Rotated: the old one stops at once, the new one works.
    const second = (await t.api('POST', '/api/v1/scim-token')).body.token as string;
    expect((await scim('GET', '/Users', undefined, first)).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, second)).status).toBe(200);
    // Revoked: 401; nothing left to revoke: 404.
    expect((await t.api('DELETE', '/api/v1/scim-token')).status).toBe(204);
    expect((await scim('GET', '/Users', undefined, second)).status).toBe(401);
    expect((await t.api('DELETE', '/api/v1/scim-token')).status).toBe(404);
    expect((await scim('GET', '/Users')).status).toBe(200);
    const trail = (await t.api('GET', '/api/v1/audit?subjectType=scim')).body.entries as { action: string; actor: { name: string }; via: string; data: { hint: string } }[];
    expect(trail.map((e) => e.action)).toEqual(['scim.token.revoke', 'scim.token.rotate', 'scim.token.create']);
    expect(trail[2]).toMatchObject({ actor: { name: 'Admin' }, via: 'api', data: { hint: first.slice(-4) } });
  });

  it('a deactivated person can neither use nor be given an API token', async () => {
    const lee = (await t.api('POST', '/api/v1/users', { name: 'Lee Token', email: 'lee.token@example.com', role: 'responder' })).body.user.id as string;
    const token = (await t.api('POST', `/api/v1/users/${lee}/tokens`, { name: 'ci' })).body.token as string;
    expect((await t.api('GET', '/api/v1/incidents', undefined, token)).status).toBe(200);
    // Deactivated in the users table alone (a token that deactivation did not revoke, e.g. restored from a backup): still refused.
    await setDeactivated(t.k.ctx.db.kysely, lee, t.clock.now(), t.clock.now());
    const refused = await t.api('GET', '/api/v1/incidents', undefined, token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toContain('deactivated');
    expect(await authenticateToken(t.k.ctx, token)).toBeNull();
    // Nobody can give them a new one.
    const created = await t.api('POST', `/api/v1/users/${lee}/tokens`, { name: 'another' });
    expect(created.status).toBe(409);
    expect(created.body.error.message).toContain('deactivated');
    // Active again: the old token works again (it was never revoked), and new ones can be made.
    await setDeactivated(t.k.ctx.db.kysely, lee, null, t.clock.now());
    expect((await t.api('GET', '/api/v1/incidents', undefined, token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${lee}/tokens`, { name: 'another' })).status).toBe(201);
  });
});

describe('SCIM when not configured', () => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon('sqlite');
  });
  afterAll(() => t?.stop());

  it('answers 404 in SCIM form', async () => {
    const r = await fetch(`${t.url}/scim/v2/Users`, { headers: { authorization: 'Bearer anything-at-all-0123456789abcdefghij' } });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ status: '404', detail: expect.stringContaining('KLAXON_SCIM_TOKEN') });
  });

  it('opens with a token an admin creates from the API, and closes again when it is revoked', async () => {
    expect((await t.api('GET', '/api/v1/scim-token')).body.scimToken).toEqual({ stored: null, environment: false });
    const token = (await t.api('POST', '/api/v1/scim-token')).body.token as string;
    const users = await fetch(`${t.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
    expect(users.status).toBe(200);
    const created = await fetch(`${t.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ines@example.com', name: { formatted: 'Ines' } }),
    });
    expect(created.status).toBe(201);
    expect((await t.api('GET', '/api/v1/users')).body.users.find((u: { email: string }) => u.email === 'ines@example.com')).toMatchObject({ role: 'responder' });
    expect((await fetch(`${t.url}/scim/v2/Users`, { headers: { authorization: 'Bearer anything-at-all-0123456789abcdefghij' } })).status).toBe(401);
    expect((await t.api('DELETE', '/api/v1/scim-token')).status).toBe(204);
    expect((await fetch(`${t.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});

/**
 * Team-scoped permissions and limited API tokens, over HTTP: a team admin edits their team's rotation
 * and is refused on another team's; a team responder acknowledges their team's incident and not
 * another's; a read-only token reads and is refused every write; a token limited to a team changes
 * only that team's objects; an expired token is refused with 401. A team responder posts in their
 * team's war room and writes its postmortem, and not another team's; a team admin manages their
 * integration's event rules and not another team's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('team roles and limited tokens (%s)', (dialect) => {
  let t: TestKlaxon;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  async function user(name: string, role: string): Promise<string> {
    const u = await t.api('POST', '/api/v1/users', { email: `${name}@example.com`, name, role });
    expect(u.status).toBe(201);
    tokens[name] = (await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 'test' })).body.token;
    return u.body.user.id;
  }

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    ids.ana = await user('ana', 'viewer'); // team admin of Payments
    ids.raj = await user('raj', 'viewer'); // team responder of Payments
    ids.sam = await user('sam', 'responder');
    for (const name of ['Payments', 'Search']) {
      const team = await t.api('POST', '/api/v1/teams', { name, members: [{ userId: ids.sam }] });
      expect(team.status).toBe(201);
      ids[name] = team.body.team.id;
      const s = await t.api('POST', '/api/v1/schedules', {
        name: `${name} rota`,
        teamId: ids[name],
        timeZone: 'UTC',
        layers: [{ participants: [ids.sam], turn: { unit: 'week', count: 1 }, start: '2026-03-02T09:00:00Z' }],
      });
      expect(s.status).toBe(201);
      ids[`${name} rota`] = s.body.schedule.id;
      const svc = await t.api('POST', '/api/v1/services', { name: `${name} api`, teamId: ids[name] });
      ids[`${name} api`] = svc.body.service.id;
    }
    // Team roles are set on the team's members.
    const put = await t.api('PUT', `/api/v1/teams/${ids.Payments}`, {
      name: 'Payments',
      members: [{ userId: ids.sam }, { userId: ids.ana, access: 'admin' }, { userId: ids.raj, role: 'member', access: 'responder' }],
    });
    expect(put.status).toBe(200);
    expect(put.body.team.members).toEqual([
      { userId: ids.sam, role: 'member' },
      { userId: ids.ana, role: 'member', access: 'admin' },
      { userId: ids.raj, role: 'member', access: 'responder' },
    ]);
  });
  afterAll(() => t?.stop());

  const rota = (name: string, description: string) => ({
    name: `${name} rota`,
    teamId: ids[name],
    description,
    timeZone: 'UTC',
    layers: [{ participants: [ids.sam], turn: { unit: 'week', count: 1 }, start: '2026-03-02T09:00:00Z' }],
  });

  it("a team admin edits their team's rotation and is refused on another team's", async () => {
    const own = await t.api('PUT', `/api/v1/schedules/${ids['Payments rota']}`, rota('Payments', 'edited by the team admin'), tokens.ana);
    expect(own.status).toBe(200);
    expect(own.body.schedule.description).toBe('edited by the team admin');
    const other = await t.api('PUT', `/api/v1/schedules/${ids['Search rota']}`, rota('Search', 'not allowed'), tokens.ana);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/team/);
    // Moving their schedule to a team they do not run is refused too.
    expect((await t.api('PUT', `/api/v1/schedules/${ids['Payments rota']}`, { ...rota('Payments', 'moved'), teamId: ids.Search }, tokens.ana)).status).toBe(403);
    // Their global role (viewer) still holds for everything else.
    expect((await t.api('POST', '/api/v1/teams', { name: 'Mine' }, tokens.ana)).status).toBe(403);
    expect((await t.api('GET', `/api/v1/schedules/${ids['Search rota']}`, undefined, tokens.ana)).status).toBe(200);
  });

  it("a team responder acknowledges their team's incident and is refused on another team's", async () => {
    const mine = await t.api('POST', '/api/v1/incidents', { service: 'Payments api', title: 'Payments down' });
    const theirs = await t.api('POST', '/api/v1/incidents', { service: 'Search api', title: 'Search down' });
    expect((await t.api('POST', `/api/v1/incidents/${mine.body.incident.id}/acknowledge`, {}, tokens.raj)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/incidents/${theirs.body.incident.id}/acknowledge`, {}, tokens.raj)).status).toBe(403);
    // A team responder may not change the team's configuration.
    expect((await t.api('PUT', `/api/v1/schedules/${ids['Payments rota']}`, rota('Payments', 'no'), tokens.raj)).status).toBe(403);
  });

  it("a team responder posts in their team's war room and writes its postmortem, and is refused on another team's", async () => {
    const major = async (name: string) => (await t.api('POST', '/api/v1/major-incidents', { service: `${name} api`, title: `${name} major` })).body.incident.id as string;
    const mine = await major('Payments');
    const theirs = await major('Search');
    const chat = await t.api('POST', `/api/v1/incidents/${mine}/chat`, { text: 'raj looking' }, tokens.raj);
    expect(chat.status).toBe(201);
    const refused = await t.api('POST', `/api/v1/incidents/${theirs}/chat`, { text: 'raj intruding' }, tokens.raj);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/team/);
    const theirChat = (await t.api('GET', `/api/v1/incidents/${theirs}/chat`)).body.messages as { text: string }[];
    expect(theirChat.some((m) => m.text.includes('raj'))).toBe(false);

    for (const id of [mine, theirs]) expect((await t.api('POST', `/api/v1/incidents/${id}/resolve`, {})).status).toBe(200);
    const pm = await t.api('POST', `/api/v1/incidents/${mine}/postmortem`, {}, tokens.raj);
    expect(pm.status).toBe(201);
    const edited = await t.api('PATCH', `/api/v1/postmortems/${pm.body.postmortem.id}`, { title: 'Payments outage, by raj' }, tokens.raj);
    expect(edited.status).toBe(200);
    expect((await t.api('POST', `/api/v1/postmortems/${pm.body.postmortem.id}/action-items`, { title: 'Alert sooner' }, tokens.raj)).status).toBe(201);
    // Search's: neither drafted nor edited by raj.
    expect((await t.api('POST', `/api/v1/incidents/${theirs}/postmortem`, {}, tokens.raj)).status).toBe(403);
    expect((await t.api('GET', `/api/v1/incidents/${theirs}/postmortem`)).body.postmortem).toBeNull();
    const theirPm = await t.api('POST', `/api/v1/incidents/${theirs}/postmortem`, {});
    expect(theirPm.status).toBe(201);
    expect((await t.api('PATCH', `/api/v1/postmortems/${theirPm.body.postmortem.id}`, { title: 'by raj' }, tokens.raj)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/postmortems/${theirPm.body.postmortem.id}/state`, { state: 'in_review' }, tokens.raj)).status).toBe(403);
    const after = (await t.api('GET', `/api/v1/postmortems/${theirPm.body.postmortem.id}`)).body.postmortem;
    expect(after).toMatchObject({ title: theirPm.body.postmortem.title, state: 'draft' });
  });

  it("a team admin manages their integration's event rules and is refused on another team's; a team responder may not", async () => {
    const integration = async (name: string) => (await t.api('POST', `/api/v1/services/${ids[`${name} api`]}/integrations`, { name: `${name} alerts`, kind: 'generic' })).body.integration.id as string;
    const mine = await integration('Payments');
    const theirs = await integration('Search');
    const rule = (integrationId: string | null, name: string) => ({ integrationId, name, condition: 'labels.region == "eu"' });
    const created = await t.api('POST', '/api/v1/event-rules', rule(mine, 'EU only'), tokens.ana);
    expect(created.status).toBe(201);
    expect((await t.api('PATCH', `/api/v1/event-rules/${created.body.rule.id}`, { name: 'EU only, renamed' }, tokens.ana)).status).toBe(200);
    expect((await t.api('POST', '/api/v1/event-rules/test', { integrationId: mine, payload: { summary: 'x' } }, tokens.ana)).status).toBe(200);
    // A team responder may not; nor may the team admin on another team's integration or the global rules.
    expect((await t.api('POST', '/api/v1/event-rules', rule(mine, 'by raj'), tokens.raj)).status).toBe(403);
    expect((await t.api('PATCH', `/api/v1/event-rules/${created.body.rule.id}`, { name: 'by raj' }, tokens.raj)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/event-rules', rule(theirs, 'by ana'), tokens.ana)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/event-rules', rule(null, 'global by ana'), tokens.ana)).status).toBe(403);
    const other = await t.api('POST', '/api/v1/event-rules', rule(theirs, 'Search rule'));
    expect(other.status).toBe(201);
    expect((await t.api('PATCH', `/api/v1/event-rules/${other.body.rule.id}`, { name: 'by ana' }, tokens.ana)).status).toBe(403);
    expect((await t.api('DELETE', `/api/v1/event-rules/${other.body.rule.id}`, undefined, tokens.ana)).status).toBe(403);
    const names = ((await t.api('GET', '/api/v1/event-rules')).body.rules as { name: string }[]).map((r) => r.name).sort();
    expect(names).toEqual(['EU only, renamed', 'Search rule']);
    expect((await t.api('DELETE', `/api/v1/event-rules/${created.body.rule.id}`, undefined, tokens.ana)).status).toBe(204);
  });

  it('a read-only token reads and is refused every write with 403 saying so', async () => {
    const tok = await t.api('POST', `/api/v1/users/${ids.sam}/tokens`, { name: 'dashboard', readOnly: true });
    expect(tok.status).toBe(201);
    expect(tok.body.apiToken).toMatchObject({ readOnly: true, teamId: null, expiresAt: null });
    expect((await t.api('GET', '/api/v1/incidents', undefined, tok.body.token)).status).toBe(200);
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'Payments api', title: 'RO' });
    const ack = await t.api('POST', `/api/v1/incidents/${inc.body.incident.id}/acknowledge`, {}, tok.body.token);
    expect(ack.status).toBe(403);
    expect(ack.body.error.message).toMatch(/read-only/);
    expect((await t.api('POST', '/api/v1/incidents', { service: 'Payments api', title: 'no' }, tok.body.token)).status).toBe(403);
  });

  it("a token limited to a team changes only that team's objects", async () => {
    const admin = (await t.api('GET', '/api/v1/users')).body.users.find((u: { email: string }) => u.email === 'admin@test.local');
    const tok = await t.api('POST', `/api/v1/users/${admin.id}/tokens`, { name: 'payments bot', teamId: 'Payments' });
    expect(tok.status).toBe(201);
    expect(tok.body.apiToken.teamId).toBe(ids.Payments);
    expect((await t.api('PUT', `/api/v1/schedules/${ids['Payments rota']}`, rota('Payments', 'by the bot'), tok.body.token)).status).toBe(200);
    const other = await t.api('PUT', `/api/v1/schedules/${ids['Search rota']}`, rota('Search', 'by the bot'), tok.body.token);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/limited to one team/);
    // Global configuration is out of its reach even though its owner is an admin.
    expect((await t.api('POST', '/api/v1/teams', { name: 'Bots' }, tok.body.token)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/users/${admin.id}/tokens`, { name: 'x', teamId: 'Nope' })).status).toBe(400);
  });

  it('an expired token is refused with 401', async () => {
    const tok = await t.api('POST', `/api/v1/users/${ids.sam}/tokens`, { name: 'short', expiresInDays: 1 });
    expect(tok.status).toBe(201);
    expect(tok.body.apiToken.expiresAt).toBe(t.clock.now() + 86_400_000);
    expect((await t.api('GET', '/api/v1/incidents', undefined, tok.body.token)).status).toBe(200);
    t.clock.advance(86_400_000);
    const r = await t.api('GET', '/api/v1/incidents', undefined, tok.body.token);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/expired/);
    expect((await t.api('POST', `/api/v1/users/${ids.sam}/tokens`, { name: 'past', expiresAt: t.clock.now() - 1 })).status).toBe(400);
  });
});

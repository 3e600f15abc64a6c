/**
 * Every service verb starts with a permission check. The test finds every exported verb — a
 * function whose parameters begin (ctx, actor) — in every source file of the server,
 * and calls it as a user whose role grants nothing. Each must refuse with
 * `forbidden` before it looks anything up: with made-up arguments, a verb that read first would
 * answer not_found or invalid instead.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import type { Actor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { parseEgressAllow } from '../../src/lib/egress.js';
import { AppError } from '../../src/lib/errors.js';
import { createRule, EventRules } from '../../src/rules/service.js';
import { must } from '../../src/lib/must.js';

const SRC = join(import.meta.dirname, '../../src');

function serviceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...serviceFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const isVerb = (fn: unknown): fn is (...args: unknown[]) => unknown => typeof fn === 'function' && /^(async\s+)?function\s*\w*\s*\(\s*ctx\s*,\s*actor\b/.test(fn.toString());

describe('permission checks', () => {
  let ctx: Ctx;
  let close: () => Promise<void>;
  // A signed-in user whose role grants nothing (e.g. a role removed in a later version).
  const nobody = { type: 'user', id: 'u', name: 'Nobody', role: 'none' } as unknown as Actor;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-perm-'));
    ({ ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: join(dir, 'k.db') }));
  });
  afterAll(() => close?.());

  it('finds the verbs of every domain', async () => {
    const files = serviceFiles(SRC).map((f) => relative(SRC, f));
    expect(files).toEqual(expect.arrayContaining(['user/service.ts', 'team/service.ts', 'escalation/service.ts', 'service/service.ts', 'incident/service.ts', 'auth/tokens.ts']));
  });

  it('every verb refuses an actor without permission, before doing anything else', async () => {
    const checked: string[] = [];
    for (const file of serviceFiles(SRC)) {
      if (file.includes(`${join('src', 'cli')}`) || file.endsWith('main.ts')) continue; // the CLI parses argv on import
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, fn] of Object.entries(mod)) {
        if (!isVerb(fn)) continue;
        const label = `${relative(SRC, file)}:${name}`;
        let error: unknown = null;
        try {
          await fn(ctx, nobody, 'no-such-id', { name: 'x' }, 'x');
        } catch (e) {
          error = e;
        }
        expect(error instanceof AppError ? error.code : String(error), label).toBe('forbidden');
        checked.push(label);
      }
    }
    expect(checked.length).toBeGreaterThan(30);
    const domains = new Set(checked.map((c) => c.split('/')[0]));
    for (const d of ['user', 'team', 'escalation', 'service', 'incident', 'alert', 'auth', 'schedule']) expect(domains, d).toContain(d);
  });
});

/**
 * Team roles: every verb whose object belongs to a team is in TEAM_VERBS below. A user whose global
 * role grants nothing but who is admin of team A must be allowed each of them on team A's objects
 * and refused (forbidden) on team B's. Every other verb found in the sources must refuse them
 * outright: a verb that starts honouring team roles without being listed here answers not_found
 * instead of forbidden, and this test fails until it is added to the table (and so tested).
 */
describe('team-scoped permission checks', () => {
  let ctx: Ctx;
  let close: () => Promise<void>;
  const fx: Record<'A' | 'B', Fixture> = {} as never;
  let teamAdminA: Actor;
  let rules: EventRules;

  type Fixture = {
    team: string;
    teamName: string;
    members: { userId: string; role: 'member'; access?: 'admin' }[];
    x: string;
    y: string;
    schedule: string;
    schedule2: string;
    policy2: string;
    service: string;
    service2: string;
    integration2: string;
    integration: string;
    rule: string;
    pmIncident: string;
    postmortem: string;
    actionItem: string;
    runbook: string;
    incidents: string[];
    major: string;
    resolved: string;
    override: string;
    heartbeat: string;
    hotline: string;
    swap1: string;
    swap2: string;
    p: string;
  };

  const HOUR = 3600_000;
  /** Each team verb and the arguments (after ctx and actor) that act on a team's objects. Order matters: deletes last. */
  // A configured chat platform for the chat-channel verbs (chat/announce.ts): only what they use.
  const CHAT = new Map([['mattermost', { name: 'mattermost', label: 'Mattermost', channelProblem: () => null }]]);
  const TEAM_VERBS: [file: string, verb: string, args: (f: Fixture, now: number) => unknown[]][] = [
    ['schedule/service.ts', 'createSchedule', (f) => [{ name: `${f.p} new schedule`, teamId: f.team, timeZone: 'UTC', layers: [] }]],
    ['schedule/service.ts', 'updateSchedule', (f) => [f.schedule2, { name: `${f.p} schedule 2`, teamId: f.team, timeZone: 'UTC', layers: [], description: 'changed' }]],
    ['schedule/service.ts', 'addOverride', (f, now) => [f.schedule, { userIds: [f.x], start: now + HOUR, end: now + 2 * HOUR }]],
    ['schedule/service.ts', 'removeOverride', (f) => [f.override]],
    ['schedule/service.ts', 'takeOnCall', (f) => [f.schedule, { hours: 1, userId: f.y }]],
    ['schedule/service.ts', 'offerSwap', (f, now) => [f.schedule, { start: now + 30 * HOUR, end: now + 31 * HOUR, userId: f.x }]],
    ['schedule/service.ts', 'takeSwap', (f) => [f.swap1, { userId: f.y }]],
    ['schedule/service.ts', 'cancelSwap', (f) => [f.swap2]],
    ['schedule/service.ts', 'regenerateScheduleIcal', (f) => [f.schedule]],
    ['escalation/service.ts', 'createPolicy', (f) => [{ name: `${f.p} new policy`, teamId: f.team, levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: f.x }] }] }]],
    ['escalation/service.ts', 'updatePolicy', (f) => [f.policy2, { name: `${f.p} policy 2`, teamId: f.team, levels: [{ delayMinutes: 9, targets: [{ type: 'user', id: f.y }] }] }]],
    ['service/service.ts', 'createService', (f) => [{ name: `${f.p} new service`, teamId: f.team }]],
    ['service/service.ts', 'updateService', (f) => [f.service2, { name: `${f.p} service 2`, teamId: f.team, description: 'changed' }]],
    ['service/service.ts', 'createIntegration', (f) => [f.service, { name: `${f.p} new integration`, kind: 'generic' }]],
    ['service/service.ts', 'updateIntegration', (f) => [f.integration2, { rateLimitPerMinute: 10 }]],
    ['incident/service.ts', 'createIncident', (f) => [{ service: f.service, title: 'by hand' }]],
    ['incident/service.ts', 'acknowledge', (f) => [f.incidents[0]]],
    ['incident/service.ts', 'resolve', (f) => [f.incidents[1]]],
    ['incident/service.ts', 'escalate', (f) => [f.incidents[2]]],
    ['incident/service.ts', 'reopen', (f) => [f.resolved, {}]],
    ['incident/service.ts', 'reassign', (f) => [f.incidents[3], { user: f.y }]],
    ['incident/service.ts', 'snooze', (f) => [f.incidents[4], { minutes: 10 }]],
    ['incident/service.ts', 'addNote', (f) => [f.incidents[5], { text: 'a note' }]],
    ['incident/service.ts', 'bulk', (f) => [{ ids: [f.incidents[6]], action: 'acknowledge' }]],
    ['heartbeat/service.ts', 'createHeartbeat', (f) => [f.service, { name: 'nightly', intervalMinutes: 60 }]],
    ['heartbeat/service.ts', 'updateHeartbeat', (f) => [f.service, f.heartbeat, { intervalMinutes: 30 }]],
    ['hotline/service.ts', 'createHotline', (f) => [f.service, { name: 'second line', number: f.p === 'A' ? '+15551230002' : '+15551240002' }]],
    ['hotline/service.ts', 'updateHotline', (f) => [f.service, f.hotline, { ringSeconds: 30 }]],
    ['warroom/commands.ts', 'warRoomAck', (f) => [f.incidents[7]]],
    ['warroom/commands.ts', 'warRoomResolve', (f) => [f.incidents[8]]],
    ['warroom/commands.ts', 'addTask', (f) => [f.incidents[9], 'check the disk', null]],
    ['warroom/service.ts', 'setSeverity', (f) => [f.incidents[10], 'SEV3']],
    ['warroom/service.ts', 'addIncidentResponder', (f) => [f.incidents[11], { user: f.y }]],
    ['warroom/service.ts', 'assignRole', (f) => [f.major, 'scribe', f.y]],
    ['warroom/service.ts', 'pageInto', (f) => [f.major, f.x]],
    ['warroom/service.ts', 'setBridge', (f) => [f.major, 'https://meet.example.com/war']],
    ['warroom/service.ts', 'setImpact', (f) => [f.major, { customerFacing: true }]],
    ['warroom/chat.ts', 'postChat', (f) => [f.major, { text: 'looking at the disk' }]],
    ['warroom/commands.ts', 'postUpdate', (f) => [f.major, 'identified "the disk is full"']],
    ['status/service.ts', 'postStatusUpdate', (f) => [f.major, { phase: 'monitoring', message: 'watching' }]],
    ['chat/slack/bridge.ts', 'bridgeSlack', (f) => [f.major, { channel: f.p === 'A' ? 'C0AAAA' : 'C0BBBB' }]],
    ['warroom/runbooks.ts', 'createRunbook', (f) => [{ service: f.service, title: 'Disk full', body: 'Delete old logs.' }]],
    ['warroom/runbooks.ts', 'reviewRunbook', (f) => [f.runbook]],
    ['warroom/runbooks.ts', 'createAction', (f) => [{ service: f.service, name: 'restart', method: 'POST', url: 'http://127.0.0.1:9/restart' }]],
    ['warroom/runbooks.ts', 'runAction', (f) => [f.major, 'restart', '']],
    ['postmortem/service.ts', 'createPostmortem', (f) => [f.pmIncident]],
    ['postmortem/service.ts', 'updatePostmortem', (f) => [f.postmortem, { title: `${f.p} postmortem, edited` }]],
    ['postmortem/service.ts', 'addActionItem', (f) => [f.postmortem, { title: 'Alert on disk use' }]],
    ['postmortem/service.ts', 'updateActionItem', (f) => [f.actionItem, { state: 'in_progress' }]],
    ['postmortem/service.ts', 'createProblem', (f) => [f.actionItem, {}]],
    ['postmortem/service.ts', 'setPostmortemState', (f) => [f.postmortem, { state: 'in_review' }]],
    ['rules/service.ts', 'createRule', (f) => [rules, { integrationId: f.integration, name: `${f.p} new rule`, condition: 'labels.region == "eu"' }]],
    ['rules/service.ts', 'updateRule', (f) => [rules, f.rule, { name: `${f.p} rule, renamed` }]],
    ['rules/service.ts', 'testRules', (f) => [rules, { integrationId: f.integration, payload: { summary: 'disk full', severity: 'critical' } }]],
    ['audit-trail.ts', 'listAudit', (f) => [{ subjectId: f.schedule }]],
    ['audit-trail.ts', 'listAudit', (f) => [{ subjectId: f.service, action: 'service.create' }]],
    ['audit-trail.ts', 'listAudit', (f) => [{ subjectId: f.team }]],
    ['team/service.ts', 'updateTeam', (f) => [f.team, { name: f.teamName, description: 'changed', members: f.members }]],
    ['rules/service.ts', 'deleteRule', (f) => [rules, f.rule]],
    ['heartbeat/service.ts', 'deleteHeartbeat', (f) => [f.service, f.heartbeat]],
    ['hotline/service.ts', 'deleteHotline', (f) => [f.service, f.hotline]],
    ['service/service.ts', 'deleteIntegration', (f) => [f.integration2]],
    ['service/service.ts', 'deleteService', (f) => [f.service2]],
    ['escalation/service.ts', 'deletePolicy', (f) => [f.policy2]],
    ['schedule/service.ts', 'deleteSchedule', (f) => [f.schedule2]],
    ['chat/announce.ts', 'setServiceChatChannels', (f) => [f.service, { channels: [{ platform: 'mattermost', channel: `${f.p.toLowerCase()}`.repeat(26) }] }, CHAT]],
    ['chat/announce.ts', 'setTeamChatChannels', (f) => [f.team, { channels: [] }, CHAT]],
    ['chat/announce.ts', 'testServiceChatChannel', (f) => [f.service, { platform: 'mattermost', channel: 'x'.repeat(26) }, CHAT]],
    ['chat/announce.ts', 'testTeamChatChannel', (f) => [f.team, { platform: 'mattermost', channel: 'x'.repeat(26) }, CHAT]],
  ];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-team-perm-'));
    // The action the team verbs run goes to a closed local port (the request fails; the run is recorded).
    ({ ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: join(dir, 'k.db'), egressAllow: parseEgressAllow('127.0.0.1/32') }));
    rules = new EventRules(ctx);
    const { SYSTEM } = await import('../../src/auth/actor.js');
    const postmortems = await import('../../src/postmortem/service.js');
    const runbooks = await import('../../src/warroom/runbooks.js');
    const users = await import('../../src/user/service.js');
    const teams = await import('../../src/team/service.js');
    const schedules = await import('../../src/schedule/service.js');
    const policies = await import('../../src/escalation/service.js');
    const services = await import('../../src/service/service.js');
    const incidents = await import('../../src/incident/service.js');
    const warroom = await import('../../src/warroom/service.js');
    const heartbeats = await import('../../src/heartbeat/service.js');
    const hotlines = await import('../../src/hotline/service.js');
    const admin = await users.createUser(ctx, SYSTEM, { name: 'Team admin A', email: 'ta@example.com', role: 'viewer' });
    const now = ctx.clock.now();
    for (const p of ['A', 'B'] as const) {
      const x = (await users.createUser(ctx, SYSTEM, { name: `X ${p}`, email: `x${p}@example.com`, role: 'responder' })).id;
      const y = (await users.createUser(ctx, SYSTEM, { name: `Y ${p}`, email: `y${p}@example.com`, role: 'responder' })).id;
      const members = [{ userId: x, role: 'member' as const }, ...(p === 'A' ? [{ userId: admin.id, role: 'member' as const, access: 'admin' as const }] : [])];
      const team = (await teams.createTeam(ctx, SYSTEM, { name: `Team ${p}`, members })).id;
      const layer = { participants: [x], turn: { unit: 'day', count: 1 }, start: now - 24 * HOUR };
      const schedule = (await schedules.createSchedule(ctx, SYSTEM, { name: `${p} schedule`, teamId: team, timeZone: 'UTC', layers: [layer] })).id;
      const schedule2 = (await schedules.createSchedule(ctx, SYSTEM, { name: `${p} schedule 2`, teamId: team, timeZone: 'UTC', layers: [] })).id;
      const policy = (await policies.createPolicy(ctx, SYSTEM, { name: `${p} policy`, teamId: team, levels: [{ delayMinutes: 5, targets: [{ type: 'schedule', id: schedule }] }] })).id;
      const policy2 = (await policies.createPolicy(ctx, SYSTEM, { name: `${p} policy 2`, teamId: team, levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: x }] }] })).id;
      const service = (await services.createService(ctx, SYSTEM, { name: `${p} service`, teamId: team, escalationPolicyId: policy })).id;
      const service2 = (await services.createService(ctx, SYSTEM, { name: `${p} service 2`, teamId: team })).id;
      const integration2 = (await services.createIntegration(ctx, SYSTEM, service, { name: 'second', kind: 'generic' })).id;
      const integration = (await services.createIntegration(ctx, SYSTEM, service, { name: 'first', kind: 'generic' })).id;
      const rule = (await createRule(ctx, SYSTEM, rules, { integrationId: integration, name: `${p} rule`, condition: 'labels.team == "x"' })).id;
      const runbook = (await runbooks.createRunbook(ctx, SYSTEM, { service, title: 'Restart', body: 'Restart it.' })).id;
      const incidentIds: string[] = [];
      for (let i = 0; i < 12; i++) incidentIds.push((await incidents.createIncident(ctx, SYSTEM, { service, title: `${p} incident ${i}` })).id);
      const resolved = (await incidents.createIncident(ctx, SYSTEM, { service, title: `${p} resolved` })).id;
      const major = (await warroom.declareMajor(ctx, SYSTEM, { service, title: `${p} major`, sev: 'SEV1' })).incident.id;
      const heartbeat = (await heartbeats.createHeartbeat(ctx, SYSTEM, service, { name: 'backup', intervalMinutes: 60 })).id;
      const hotline = (await hotlines.createHotline(ctx, SYSTEM, service, { name: 'line', number: p === 'A' ? '+15551230001' : '+15551240001' })).id;
      await incidents.resolve(ctx, SYSTEM, resolved);
      const pmIncident = (await incidents.createIncident(ctx, SYSTEM, { service, title: `${p} to write up` })).id;
      await incidents.resolve(ctx, SYSTEM, pmIncident);
      const pmDone = (await incidents.createIncident(ctx, SYSTEM, { service, title: `${p} written up` })).id;
      await incidents.resolve(ctx, SYSTEM, pmDone);
      const postmortem = (await postmortems.createPostmortem(ctx, SYSTEM, pmDone)).id;
      const actionItem = (await postmortems.addActionItem(ctx, SYSTEM, postmortem, { title: 'Add disk alerts' })).id;
      const override = (await schedules.addOverride(ctx, SYSTEM, schedule, { userIds: [y], start: now + 5 * HOUR, end: now + 6 * HOUR })).id;
      const swap1 = (await schedules.offerSwap(ctx, SYSTEM, schedule, { start: now + 10 * HOUR, end: now + 11 * HOUR, userId: x })).id;
      const swap2 = (await schedules.offerSwap(ctx, SYSTEM, schedule, { start: now + 20 * HOUR, end: now + 21 * HOUR, userId: x })).id;
      fx[p] = {
        team,
        teamName: `Team ${p}`,
        members,
        x,
        y,
        schedule,
        schedule2,
        policy2,
        service,
        service2,
        integration2,
        integration,
        rule,
        pmIncident,
        postmortem,
        actionItem,
        runbook,
        incidents: incidentIds,
        major,
        resolved,
        override,
        heartbeat,
        hotline,
        swap1,
        swap2,
        p,
      };
    }
    // Global role: none at all; only team A's admin role.
    teamAdminA = { type: 'user', id: admin.id, name: 'Team admin A', role: 'none', teams: { [fx.A.team]: 'admin' } } as unknown as Actor;
  });
  afterAll(() => close?.());

  async function outcome(file: string, verb: string, args: unknown[]): Promise<string> {
    const mod = (await import(join(SRC, file))) as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(isVerb(mod[verb]), `${file}:${verb} is a verb`).toBe(true);
    try {
      const r = (await must(mod[verb], 'mod[verb]')(ctx, teamAdminA, ...args)) as { results?: { ok: boolean; error?: { code: string } }[] } | undefined;
      const failed = r?.results?.find((x) => !x.ok);
      return failed ? must(failed.error, 'failed.error').code : 'ok';
    } catch (e) {
      return e instanceof AppError ? e.code : String(e);
    }
  }

  it("a team admin is refused every team verb on another team's objects", async () => {
    const now = ctx.clock.now();
    for (const [file, verb, args] of TEAM_VERBS) expect(await outcome(file, verb, args(fx.B, now)), `${file}:${verb} on team B`).toBe('forbidden');
  });

  it("a team admin is allowed every team verb on their own team's objects", async () => {
    const now = ctx.clock.now();
    for (const [file, verb, args] of TEAM_VERBS) expect(await outcome(file, verb, args(fx.A, now)), `${file}:${verb} on team A`).toBe('ok');
  });

  it("a team admin reads the audit trail of their team's objects only, one object at a time", async () => {
    const trail = await import('../../src/audit-trail.js');
    const mine = await trail.listAudit(ctx, teamAdminA, { subjectId: fx.A.schedule });
    expect(mine.entries.length).toBeGreaterThan(0);
    expect(mine.entries.every((e) => e.subject.id === fx.A.schedule)).toBe(true);
    for (const q of [{}, { action: 'schedule.create' }, { subjectId: fx.B.schedule }, { subjectId: 'no-such-object' }]) {
      await expect(trail.listAudit(ctx, teamAdminA, q), JSON.stringify(q)).rejects.toMatchObject({ code: 'forbidden' });
    }
    // A global admin still reads everything.
    const { SYSTEM } = await import('../../src/auth/actor.js');
    expect((await trail.listAudit(ctx, SYSTEM, { subjectId: fx.B.schedule })).entries.length).toBeGreaterThan(0);
  });

  it('every other verb gives a team role nothing', async () => {
    // By function, so a verb re-exported by an index file counts as listed too.
    const listed = new Set<unknown>();
    for (const [f, v] of TEAM_VERBS) listed.add(((await import(join(SRC, f))) as Record<string, unknown>)[v]);
    let checked = 0;
    for (const file of serviceFiles(SRC)) {
      if (file.includes(`${join('src', 'cli')}`) || file.endsWith('main.ts')) continue;
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, fn] of Object.entries(mod)) {
        const label = `${relative(SRC, file)}:${name}`;
        if (!isVerb(fn) || listed.has(fn)) continue;
        let error: unknown = null;
        try {
          await fn(ctx, teamAdminA, 'no-such-id', { name: 'x' }, 'x');
        } catch (e) {
          error = e;
        }
        expect(error instanceof AppError ? error.code : String(error), label).toBe('forbidden');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

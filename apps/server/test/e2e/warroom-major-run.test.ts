/**
 * What a major incident run showed (issue 20): one /page sends one page and no mention notices; raising
 * the severity pages the higher level's policy; declaring an acknowledged incident still pages the war
 * room's people; the postmortem draft holds the war room's key events and its tasks become action
 * items; every drill message starts with DRILL in its subject and body; incident filters take names.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../harness.js';
import { declaredIncident, triggerAlert, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';
import { must } from '../../src/lib/must.js';

describe.each(DIALECTS)('a major incident run (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(async () => w?.t.stop());

  const mailsTo = (email: string) => w.t.smtp.messages.filter((m) => m.to.includes(email) && !/verification/i.test(m.subject + m.text));

  it('one /page sends the person one page: neither the command nor Klaxon’s answer sends a mention notice', async () => {
    const { t } = w;
    const n = await declaredIncident(w, 'Payments failing');
    const before = mailsTo('bob@example.com').length;
    // Ivy (the IM) pages Bob through the chat; Bob's channel is email.
    const r = await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: '/page @bob' }, w.ivy.token);
    expect(r.body.result).toMatchObject({ ok: true, text: 'Paged 1 person for @bob' });
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('bob@example.com') && mailsTo('bob@example.com').length > before);
    await t.cycle();
    const after = mailsTo('bob@example.com').slice(before);
    expect(after.map((m) => m.subject)).toHaveLength(1);
    expect(must(after[0], 'after[0]').text).not.toContain('mentioned you');
    // An ordinary message that names Bob still tells him.
    await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: '@bob can you check the queue?' }, w.ivy.token);
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('bob@example.com') && m.text.includes('Ivy mentioned you'));
  });

  it('raising SEV2 to SEV1 pages the SEV1 policy, as declaring at SEV1 would', async () => {
    const { t } = w;
    const n = await triggerAlert(w, 'Search degraded');
    expect((await t.api('POST', '/api/v1/major-incidents', { incident: String(n), sev: 'SEV2' }, w.bob.token)).status).toBe(201);
    await t.cycle();
    const carolPosts = () => t.slack.posts.filter((p) => p.body.channel === 'U0CAROL01' && p.text.includes(`#${n}`)).length;
    expect(carolPosts()).toBe(0); // SEV2 has no policy of its own
    expect((await t.api('POST', `/api/v1/incidents/${n}/severity`, { sev: '1' }, w.ivy.token)).status).toBe(200);
    await t.cycle();
    await t.slack.waitForPost((p) => p.body.channel === 'U0CAROL01' && p.text.includes(`#${n}`));
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[];
    expect(timeline.some((e) => e.type === 'page.manual' && e.message.includes('Carol') && e.message.includes('severity raised to SEV1'))).toBe(true);
    const room = (await t.api('GET', `/api/v1/incidents/${n}/war-room`)).body.warRoom;
    expect(room.members.map((m: { name: string }) => m.name)).toContain('Carol');
    // Lowering it again pages nobody more.
    const posts = carolPosts();
    expect((await t.api('POST', `/api/v1/incidents/${n}/severity`, { sev: '2' }, w.ivy.token)).status).toBe(200);
    await t.cycle();
    expect(carolPosts()).toBe(posts);
  });

  it('declaring an acknowledged incident still pages the war room’s people', async () => {
    const { t } = w;
    const n = await triggerAlert(w, 'Checkout 500s');
    expect((await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, {}, w.bob.token)).status).toBe(200);
    const ivyBefore = t.twilio.messages.filter((m) => m.to === w.ivy.phone && m.body.includes(`#${n}`)).length;
    expect((await t.api('POST', '/api/v1/major-incidents', { incident: String(n), sev: 'SEV1' }, w.bob.token)).status).toBe(201);
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === w.ivy.phone && m.body.includes(`#${n}`));
    expect(t.twilio.messages.filter((m) => m.to === w.ivy.phone && m.body.includes(`#${n}`)).length).toBe(ivyBefore + 1);
    await t.slack.waitForPost((p) => p.body.channel === 'U0CAROL01' && p.text.includes(`#${n}`));
  });

  it('the postmortem draft holds the war room’s key events, and its tasks become action items', async () => {
    const { t } = w;
    const n = await declaredIncident(w, 'Login broken');
    const cmd = async (token: string, text: string) => expect((await t.api('POST', `/api/v1/incidents/${n}/commands`, { text }, token)).body.result.ok).toBe(true);
    await cmd(w.ivy.token, '/sev 2');
    await cmd(w.ivy.token, '/role comms @bob');
    await cmd(w.bob.token, '/task "Add a canary for login" @carol');
    await cmd(w.bob.token, '/update "Login is failing for some users"');
    await cmd(w.ivy.token, '/resolve');
    const pm = await t.api('POST', `/api/v1/incidents/${n}/postmortem`, {}, w.bob.token);
    expect(pm.status).toBe(201);
    const types = (pm.body.postmortem.facts.keyEvents as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['major.declared', 'severity.changed', 'role.assigned', 'task.created', 'status.update', 'incident.resolved']));
    expect(pm.body.postmortem.actionItems).toMatchObject([{ title: 'Add a canary for login', ownerId: w.carol.id, state: 'open' }]);
  });

  it('every message about a drill starts with DRILL, in the subject and the body, priority pages included', async () => {
    const { t } = w;
    const d = await t.api('POST', '/api/v1/major-incidents', { service: 'checkout', title: 'Region failover', sev: 'SEV1', drill: true }, w.bob.token);
    expect(d.status).toBe(201);
    const n = d.body.incident.number as number;
    await t.cycle();
    const before = mailsTo('bob@example.com').length;
    expect((await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Everyone on the bridge', priority: true }, w.ivy.token)).status).toBe(201);
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('bob@example.com') && m.text.includes('PRIORITY'));
    const mails = mailsTo('bob@example.com').slice(before);
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) {
      expect(m.subject.startsWith('[DRILL]'), m.subject).toBe(true);
      expect(m.text.startsWith('DRILL'), m.text).toBe(true);
    }
  });

  it('incident filters take a name or an id; a name that matches nothing is a 400 that says which', async () => {
    const { t } = w;
    const byId = (await t.api('GET', `/api/v1/incidents?service=${w.serviceId}&limit=500`)).body.incidents as { number: number }[];
    const byName = (await t.api('GET', '/api/v1/incidents?service=checkout&limit=500')).body.incidents as { number: number }[];
    expect(byName.length).toBeGreaterThan(0);
    expect(byName.map((i) => i.number)).toEqual(byId.map((i) => i.number));
    const bad = await t.api('GET', '/api/v1/incidents?service=no-such-service');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('service: unknown service "no-such-service"');
    expect((await t.api('GET', '/api/v1/incidents?team=Nobody')).body.error.message).toBe('team: unknown team "Nobody"');
    const acked = (await t.api('GET', '/api/v1/incidents?acknowledgedBy=bob@example.com&limit=500')).body.incidents as { number: number }[];
    const ackedById = (await t.api('GET', `/api/v1/incidents?acknowledgedBy=${w.bob.id}&limit=500`)).body.incidents as { number: number }[];
    expect(acked.length).toBeGreaterThan(0);
    expect(acked).toEqual(ackedById);
  });

  it('the live socket refuses a handshake without credentials with 401, before the upgrade', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${w.t.url.replace(/^http/, 'ws')}/api/v1/live`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });
});

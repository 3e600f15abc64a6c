import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatModule } from '../../src/heartbeat/module.js';
import { must } from '../../src/lib/must.js';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(DIALECTS)('heartbeats: a missed check-in pages by the policy, the next check-in resolves (%s)', (dialect) => {
  let t: TestKlaxon;
  let serviceId: string;
  let genieKey: string;
  let amKey: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Backups', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: alice.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'backups', escalationPolicyId: policy.body.escalationPolicy.id });
    serviceId = svc.body.service.id;
    genieKey = (await t.api('POST', `/api/v1/services/${serviceId}/integrations`, { name: 'og', kind: 'opsgenie' })).body.integration.key;
    amKey = (await t.api('POST', `/api/v1/services/${serviceId}/integrations`, { name: 'am', kind: 'alertmanager' })).body.integration.key;
  });
  afterAll(() => t?.stop());

  const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, t.url);
  const incidentsTitled = async (re: RegExp) => ((await t.api('GET', '/api/v1/incidents?limit=100')).body.incidents as { id: string; title: string; status: string }[]).filter((i) => re.test(i.title));

  it('create answers the check-in URL once; list shows state never, then ok after a check-in', async () => {
    const r = await t.api('POST', `/api/v1/services/${serviceId}/heartbeats`, { name: 'nightly-backup', intervalMinutes: 25 * 60, graceMinutes: 60 });
    expect(r.status).toBe(201);
    const hb = r.body.heartbeat;
    expect(hb.checkinUrl).toMatch(/\/heartbeats\/v1\/[A-Za-z0-9]{20,}$/);
    expect(hb.state).toBe('never');
    const list = (await t.api('GET', `/api/v1/services/${serviceId}/heartbeats`)).body.heartbeats;
    expect(list).toHaveLength(1);
    expect(list[0].checkinUrl).toBeUndefined();
    expect(JSON.stringify(list)).not.toContain(hb.checkinUrl.split('/').pop());
    expect((await fetch(local(hb.checkinUrl), { method: 'POST' })).status).toBe(202);
    const after = (await t.api('GET', `/api/v1/services/${serviceId}/heartbeats/${hb.id}`)).body.heartbeat;
    expect(after.state).toBe('ok');
    expect(after.lastCheckinAt).toBe(t.clock.now());
    expect((await fetch(`${t.url}/heartbeats/v1/not-a-real-token-00000000`)).status).toBe(404);
  });

  it('a miss opens exactly one incident that pages by the policy; the next check-in resolves it', async () => {
    const hb = (await t.api('GET', `/api/v1/services/${serviceId}/heartbeats`)).body.heartbeats.find((h: { name: string }) => h.name === 'nightly-backup');
    // 26 h exactly is interval + grace: not late yet.
    await t.advance(26 * HOUR);
    expect(await incidentsTitled(/nightly-backup/)).toHaveLength(0);
    await t.advance(MIN);
    // Two engines racing for the same miss (several instances) open one incident between them.
    await Promise.all([heartbeatModule.updateAll(t.k.ctx), heartbeatModule.updateAll(t.k.ctx)]);
    await t.advance(10 * MIN);
    await t.cycle();
    const opened = await incidentsTitled(/nightly-backup/);
    expect(opened).toHaveLength(1);
    expect(must(opened[0], 'the nightly-backup incident').title).toBe('No check-in from nightly-backup for 26 h (expected every 25 h)');
    expect(must(opened[0], 'the nightly-backup incident').status).toBe('triggered');
    const pages = t.smtp.messages.filter((m) => m.to.includes('alice@example.com') && /nightly-backup/.test(m.subject));
    expect(pages).toHaveLength(1);
    const state = (await t.api('GET', `/api/v1/services/${serviceId}/heartbeats/${hb.id}`)).body.heartbeat;
    expect(state.state).toBe('late');
    expect(state.incidentId).toBe(must(opened[0], 'the nightly-backup incident').id);

    // Hours later, still missing: still one incident.
    await t.advance(5 * HOUR);
    expect(await incidentsTitled(/nightly-backup/)).toHaveLength(1);

    // Check-in by GET (HEAD counts too, as Fastify answers HEAD for every GET route).
    const token = (await t.api('GET', `/api/v1/services/${serviceId}/heartbeats/${hb.id}`)).body.heartbeat.tokenHint as string;
    expect(token).toHaveLength(4);
  });

  it('the Opsgenie ping API checks in with a GenieKey, answers PONG, and refuses a wrong key', async () => {
    const ping = (name: string, key: string, method = 'POST') => fetch(`${t.url}/v2/heartbeats/${encodeURIComponent(name)}/ping`, { method, headers: { authorization: `GenieKey ${key}` } });
    let r = await ping('nightly-backup', 'wrong-key-0000000000000000');
    expect(r.status).toBe(401);
    expect((await r.json()).message).toMatch(/authenticate/);
    r = await ping('nightly-backup', amKey); // a key, but not of an opsgenie integration
    expect(r.status).toBe(401);
    r = await fetch(`${t.url}/v2/heartbeats/nightly-backup/ping`, { method: 'POST' });
    expect(r.status).toBe(401);
    expect(await incidentsTitled(/nightly-backup/).then((l) => must(l[0], 'the nightly-backup incident').status)).toBe('triggered'); // refused pings checked nothing in
    r = await ping('no-such-heartbeat', genieKey);
    expect(r.status).toBe(404);

    r = await ping('nightly-backup', genieKey, 'GET');
    expect(r.status).toBe(202);
    const body = await r.json();
    expect(body.result).toBe('PONG - Heartbeat received');
    expect(typeof body.took).toBe('number');
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const [inc] = await incidentsTitled(/nightly-backup/);
    expect(must(inc, 'the nightly-backup incident').status).toBe('resolved');
    const timeline = (await t.api('GET', `/api/v1/incidents/${must(inc, 'the nightly-backup incident').id}/timeline`)).body.timeline as { type: string; message: string }[];
    expect(timeline.some((e) => e.type === 'heartbeat.checkin' && /Check-in from heartbeat nightly-backup received \(Opsgenie ping API\)/.test(e.message))).toBe(true);
    expect(timeline.some((e) => e.type === 'incident.resolved')).toBe(true);
    const hb = (await t.api('GET', `/api/v1/services/${serviceId}/heartbeats`)).body.heartbeats[0];
    expect(hb.state).toBe('ok');
    expect(hb.incidentId).toBeNull();
    expect((await ping('nightly-backup', genieKey, 'HEAD')).status).toBe(202);
  });

  it('the next miss opens a new incident (one per miss)', async () => {
    await t.advance(26 * HOUR + MIN);
    const all = await incidentsTitled(/nightly-backup/);
    expect(all).toHaveLength(2);
    expect(all.filter((i) => i.status !== 'resolved')).toHaveLength(1);
  });

  it('a disabled heartbeat opens nothing; enabling starts a fresh wait', async () => {
    const r = await t.api('POST', `/api/v1/services/${serviceId}/heartbeats`, { name: 'hourly-etl', intervalMinutes: 60, graceMinutes: 5, enabled: false });
    expect(r.status).toBe(201);
    await t.advance(3 * HOUR);
    expect(await incidentsTitled(/hourly-etl/)).toHaveLength(0);
    expect((await t.api('PATCH', `/api/v1/services/${serviceId}/heartbeats/${r.body.heartbeat.id}`, { enabled: true })).body.heartbeat.state).toBe('never');
    await t.advance(65 * MIN);
    expect(await incidentsTitled(/hourly-etl/)).toHaveLength(0);
    await t.advance(MIN);
    const [missed] = await incidentsTitled(/hourly-etl/);
    expect(must(missed, 'the hourly-etl incident').title).toBe('No check-in from hourly-etl for 66 min (expected every 60 min)');
    const pages = t.smtp.messages.filter((m) => m.to.includes('alice@example.com') && /hourly-etl/.test(m.subject));
    expect(pages).toHaveLength(1);
    // A HEAD to the check-in URL is a check-in too, and resolves the miss.
    expect((await fetch(local(r.body.heartbeat.checkinUrl), { method: 'HEAD' })).status).toBe(202);
    expect(must((await incidentsTitled(/hourly-etl/))[0], 'the hourly-etl incident').status).toBe('resolved');
    const timeline = (await t.api('GET', `/api/v1/incidents/${must(missed, 'the hourly-etl incident').id}/timeline`)).body.timeline as { type: string; message: string }[];
    expect(timeline.map((e) => e.type)).toContain('heartbeat.missed');
    expect(timeline.find((e) => e.type === 'heartbeat.checkin')?.message).toBe('Check-in from heartbeat hourly-etl received (check-in URL): resolving');
  });

  it('an Alertmanager Watchdog alert named by a heartbeat is a check-in, not an incident', async () => {
    const r = await t.api('POST', `/api/v1/services/${serviceId}/heartbeats`, { name: 'prometheus', intervalMinutes: 5, graceMinutes: 5, watchdogAlert: 'Watchdog' });
    expect(r.body.heartbeat.watchdogAlert).toBe('Watchdog');
    const watchdog = {
      version: '4',
      groupKey: '{}:{alertname="Watchdog"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'klaxon',
      groupLabels: { alertname: 'Watchdog' },
      commonLabels: { alertname: 'Watchdog', severity: 'none' },
      commonAnnotations: {},
      externalURL: 'http://am:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Watchdog', severity: 'none' },
          annotations: { summary: 'An alert that should always be firing' },
          startsAt: '2026-03-02T08:59:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://p/g',
          fingerprint: 'ffff0000',
        },
      ],
    };
    const send = () => fetch(`${t.url}/integrations/v1/alertmanager/${amKey}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(watchdog) });
    for (let i = 0; i < 4; i++) {
      expect((await send()).status).toBe(202);
      await t.advance(8 * MIN);
    }
    expect(await incidentsTitled(/Watchdog|prometheus/)).toHaveLength(0);
    await t.advance(3 * MIN);
    expect((await incidentsTitled(/prometheus/)).map((i) => i.title)).toEqual(['No check-in from prometheus for 11 min (expected every 5 min)']);
    expect((await send()).status).toBe(202);
    expect(must((await incidentsTitled(/prometheus/))[0], 'the prometheus incident').status).toBe('resolved');
  });

  it('bad input is a 400 that says what is wrong; duplicates 409; viewers cannot create', async () => {
    let r = await t.api('POST', `/api/v1/services/${serviceId}/heartbeats`, { name: 'x', intervalMinutes: 0 });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/intervalMinutes/);
    r = await t.api('POST', `/api/v1/services/${serviceId}/heartbeats`, { name: 'nightly-backup', intervalMinutes: 10 });
    expect(r.status).toBe(409);
    r = await t.api('POST', `/api/v1/services/nope/heartbeats`, { name: 'a', intervalMinutes: 10 });
    expect(r.status).toBe(404);
    const hb = (await t.api('GET', `/api/v1/services/${serviceId}/heartbeats`)).body.heartbeats.find((h: { name: string }) => h.name === 'hourly-etl');
    expect((await t.api('DELETE', `/api/v1/services/${serviceId}/heartbeats/${hb.id}`)).status).toBe(204);
    expect((await t.api('DELETE', `/api/v1/services/${serviceId}/heartbeats/${hb.id}`)).status).toBe(404);
  });
});

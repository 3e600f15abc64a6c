import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RecordLog } from '../fakes/util.js';
import { capture, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';

interface LiveMessage {
  type: string;
  incidentId?: string;
  data?: Record<string, unknown>;
}

/** Opens a live socket; resolves once open with a log of the JSON messages it receives. */
function openLive(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; messages: RecordLog<LiveMessage> }> {
  const ws = new WebSocket(url, { headers });
  const messages = new RecordLog<LiveMessage>('live socket');
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw)) as LiveMessage));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

/** Tries to open a live socket that the server should refuse; resolves with the HTTP status it answered. */
function refusedStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.close();
      reject(new Error('the socket was accepted'));
    });
    ws.once('error', () => undefined);
  });
}

describe.each(DIALECTS)('web live updates over a WebSocket (%s)', (dialect) => {
  let t: TestKlaxon;
  let wsUrl: string;
  let cookie: string;
  let routingKey: string;
  let carolToken: string;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    wsUrl = `${t.url.replace(/^http/, 'ws')}/api/v1/live`;
    const carol = await t.api('POST', '/api/v1/users', { email: 'carol@example.com', name: 'Carol', role: 'responder', password: 'carols password' });
    expect(carol.status).toBe(201);
    carolToken = (await t.api('POST', `/api/v1/users/${carol.body.user.id}/tokens`, { name: 'cli' })).body.token;
    const login = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'carol@example.com', password: 'carols password' }),
    });
    expect(login.status).toBe(200);
    const setCookie = mustFind(login.headers.getSetCookie(), 'the session cookie', (c) => c.startsWith('klaxon_session='));
    cookie = capture(/^(klaxon_session=[^;]+)/, setCookie);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: carol.body.user.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web-frontend', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' });
    routingKey = integ.body.integration.key;
  });
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await t?.stop();
  });

  it('a browser with the session cookie gets the incident of a PagerDuty event, then the timeline event of its acknowledgement', async () => {
    const { ws, messages } = await openLive(wsUrl, { cookie, origin: t.url });
    sockets.push(ws);
    const hello = await messages.waitFor((m) => m.type === 'hello');
    expect(hello.data).toMatchObject({ heartbeatMs: 25_000 });

    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: routingKey, event_action: 'trigger', dedup_key: 'cdn-5xx', payload: { summary: 'CDN returns 502', source: 'edge-1', severity: 'error' } }),
    });
    expect(res.status).toBe(202);
    const opened = await messages.waitFor((m) => m.type === 'incident' && m.data?.status === 'triggered');
    expect(opened.incidentId).toEqual(expect.any(String));
    expect(Object.keys(opened).sort()).toEqual(['data', 'incidentId', 'type']);

    const ack = await t.api('POST', `/api/v1/incidents/${opened.incidentId}/acknowledge`, undefined, carolToken);
    expect(ack.status).toBe(200);
    const acked = await messages.waitFor((m) => m.type === 'timeline' && m.incidentId === opened.incidentId && m.data?.type === 'incident.acknowledged');
    expect(acked).toEqual({ type: 'timeline', incidentId: opened.incidentId, data: { type: 'incident.acknowledged' } });
    await messages.waitFor((m) => m.type === 'incident' && m.incidentId === opened.incidentId && m.data?.status === 'acknowledged');
  });

  it('answers an application-level ping, for browsers that cannot see protocol pings', async () => {
    const { ws, messages } = await openLive(wsUrl, { cookie, origin: t.url });
    sockets.push(ws);
    ws.send('{"type":"ping"}');
    await messages.waitFor((m) => m.type === 'pong');
  });

  it('non-browser clients authenticate with ?token= or a Bearer header', async () => {
    const a = await openLive(`${wsUrl}?token=${encodeURIComponent(carolToken)}`);
    const b = await openLive(wsUrl, { authorization: `Bearer ${t.adminToken}` });
    sockets.push(a.ws, b.ws);
    await a.messages.waitFor((m) => m.type === 'hello');
    await b.messages.waitFor((m) => m.type === 'hello');
    await t.api('POST', '/api/v1/incidents/1/resolve');
    await a.messages.waitFor((m) => m.type === 'incident' && m.data?.status === 'resolved');
    await b.messages.waitFor((m) => m.type === 'incident' && m.data?.status === 'resolved');
  });

  it('refuses an unauthenticated upgrade, a bad token, a stale cookie and a cookie from another origin', async () => {
    expect(await refusedStatus(wsUrl)).toBe(401);
    expect(await refusedStatus(`${wsUrl}?token=klx_nope`)).toBe(401);
    expect(await refusedStatus(wsUrl, { cookie: 'klaxon_session=forged' })).toBe(401);
    expect(await refusedStatus(wsUrl, { cookie, origin: 'https://evil.example' })).toBe(403);
  });
});

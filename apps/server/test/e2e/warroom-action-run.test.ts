import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, mustFind } from '../harness.js';
import { declaredIncident, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';
import { must } from '../../src/lib/must.js';

const SECRET = 's3cr3t-deploy-token-XYZ';

describe.each(DIALECTS)('service actions run from the war room (%s)', (dialect) => {
  let w: WarRoomWorld;
  let server: Server;
  let base: string;
  const got: { url: string; auth: string | undefined; body: string }[] = [];
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ url: req.url ?? '', auth: req.headers.authorization, body });
        // A careless endpoint that echoes the credential back.
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`restarted checkout (auth was ${req.headers.authorization}; url ${req.url})`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server?.close();
    await w?.t.stop();
  });

  it('records who ran it and the output with the secret redacted; refuses roles not allowed', async () => {
    const { t } = w;
    const n = await declaredIncident(w, 'Checkout pods stuck');
    const def = {
      service: 'checkout',
      name: 'restart',
      method: 'POST',
      url: `${base}/restart?key={{secrets.TOKEN}}&incident={{incident.number}}`,
      headers: { authorization: 'Bearer {{secrets.TOKEN}}' },
      body: '{"reason":"{{args}}"}',
      secrets: { TOKEN: SECRET },
      allowedRoles: ['im'],
    };
    expect((await t.api('POST', '/api/v1/actions', def, w.ivy.token)).status).toBe(403);
    const created = await t.api('POST', '/api/v1/actions', def);
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(SECRET);
    const listed = await t.api('GET', '/api/v1/services/checkout/actions', undefined, w.bob.token);
    expect(listed.body.actions[0].secretNames).toEqual(['TOKEN']);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);

    const refused = (await t.api('POST', `/api/v1/incidents/${n}/commands`, { text: '/run restart' }, w.carol.token)).body.result;
    expect(refused).toMatchObject({ ok: false, code: 'forbidden' });
    expect(got).toHaveLength(0);

    const r = (await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: '/run restart stuck pods' }, w.ivy.token)).body.result;
    expect(r.ok).toBe(true);
    expect(got).toHaveLength(1);
    const request = must(got[0], 'the request to the action');
    expect(request.auth).toBe(`Bearer ${SECRET}`);
    expect(request.url).toBe(`/restart?key=${SECRET}&incident=${n}`);
    expect(request.body).toBe('{"reason":"stuck pods"}');
    expect(r.text).toContain('HTTP 200');
    expect(r.text).toContain('auth was Bearer [redacted]');
    expect(r.text).not.toContain(SECRET);

    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string; actor: { name: string } }[];
    const run = mustFind(timeline, 'an action.run event', (e) => e.type === 'action.run');
    expect(run.actor.name).toBe('Ivy');
    expect(run.message).toContain('Ivy ran restart: HTTP 200');
    expect(JSON.stringify(timeline)).not.toContain(SECRET);
    expect(JSON.stringify((await t.api('GET', `/api/v1/incidents/${n}/chat`)).body)).not.toContain(SECRET);
    const md = await (await fetch(`${t.url}/api/v1/incidents/${n}/timeline.md`, { headers: { authorization: `Bearer ${t.adminToken}` } })).text();
    expect(md).toContain('action.run');
    expect(md).not.toContain(SECRET);
  });
});

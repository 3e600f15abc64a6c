import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, DIALECTS, mustFind } from '../harness.js';
import { triggerAlert, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

/** Signs in like the web app: returns the session cookie and the CSRF token. */
async function signIn(url: string, email: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(res.status).toBe(200);
  const setCookie = mustFind(res.headers.getSetCookie(), 'the session cookie', (c) => c.startsWith('klaxon_session='));
  const cookie = capture(/^(klaxon_session=[^;]*)/, setCookie);
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

// The timeline says which way an acknowledgement came: from the browser it is "web", not "api".
describe.each(DIALECTS)('war-room acknowledge from the browser is recorded as via web (%s)', (dialect) => {
  let w: WarRoomWorld;
  let session: { cookie: string; csrf: string };
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
    await w.t.api('POST', '/api/v1/users', { email: 'wendy@example.com', name: 'Wendy', role: 'responder', timeZone: 'UTC', password: 'correct horse battery' });
    session = await signIn(w.t.url, 'wendy@example.com', 'correct horse battery');
  });
  afterAll(async () => w?.t.stop());

  const browserPost = (path: string, body?: unknown) =>
    fetch(`${w.t.url}${path}`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ackChannel = async (n: number) =>
    ((await w.t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; channel: string }[]).find((e) => e.type === 'incident.acknowledged')?.channel;

  it('POST /incidents/{n}/war-room/acknowledge with the session cookie', async () => {
    const n = await triggerAlert(w, 'Checkout 500s');
    const res = await browserPost(`/api/v1/incidents/${n}/war-room/acknowledge`);
    expect(res.status).toBe(200);
    expect(await ackChannel(n)).toBe('web');
  });

  it('the /ack command from the browser, and the same with an API token (api)', async () => {
    const n = await triggerAlert(w, 'Cart latency');
    expect((await browserPost(`/api/v1/incidents/${n}/commands`, { text: '/ack' })).status).toBe(200);
    expect(await ackChannel(n)).toBe('web');
    const m = await triggerAlert(w, 'Payment timeouts');
    expect((await w.t.api('POST', `/api/v1/incidents/${m}/war-room/acknowledge`, undefined, w.bob.token)).status).toBe(200);
    expect(await ackChannel(m)).toBe('api');
  });
});

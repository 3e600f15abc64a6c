/**
 * Crash safety: Klaxon runs as a real child process and is killed with SIGKILL in the middle of an
 * escalation, twice. Every escalation step still fires exactly once: no step lost, nobody paged
 * twice for the same step.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localContext } from '../../src/app/klaxon.js';
import { configFromEnv } from '../../src/app/config.js';
import { SYSTEM } from '../../src/auth/actor.js';
import { createToken } from '../../src/auth/tokens.js';
import { createUser } from '../../src/user/service.js';
import { FakeSlack } from '../fakes/slack.js';
import { FakeSmtpServer } from '../fakes/smtp.js';
import { FakeTwilio } from '../fakes/twilio.js';
import { addResponder, DIALECTS, freshDatabase, type TestKlaxon } from '../harness.js';

const MIN = 60_000;
const BIN = join(import.meta.dirname, '../../bin/klaxon.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe.each(DIALECTS)('SIGKILL of a real server process mid-escalation (%s)', (dialect) => {
  const smtp = new FakeSmtpServer();
  const twilio = new FakeTwilio();
  const slack = new FakeSlack();
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let env: NodeJS.ProcessEnv;
  let proc: ChildProcess | null = null;
  let url = '';
  let adminToken = '';
  let now = Date.parse('2026-03-02T09:00:00Z');

  async function startServer(): Promise<void> {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = spawn(process.execPath, [BIN, 'serve'], { env: { ...env, KLAXON_PORT: String(port), KLAXON_TEST_FAKE_CLOCK: new Date(now).toISOString() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Klaxon is running')) resolve();
      });
      proc!.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready: ${err}`)));
    });
  }

  async function kill(): Promise<void> {
    const p = proc!;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    proc = null;
  }

  const t: Pick<TestKlaxon, 'api' | 'cycle' | 'smtp' | 'twilio' | 'slack'> & { advance(ms: number, cycle?: boolean): Promise<void> } = {
    smtp,
    twilio,
    slack,
    async api(method, path, body, token = adminToken) {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async cycle() {
      const r = await t.api('POST', '/api/v1/test/cycle');
      expect(r.status).toBe(200);
    },
    async advance(ms, cycle = true) {
      now += ms;
      expect((await t.api('POST', '/api/v1/test/clock', { advanceMs: ms })).status).toBe(200);
      if (cycle) await t.cycle();
    },
  };

  beforeAll(async () => {
    const [s, tw] = await Promise.all([smtp.start(), twilio.start(), slack.start()]);
    db = await freshDatabase(dialect);
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KLAXON_LOG_LEVEL: 'error',
      KLAXON_DATABASE_URL: db.url,
      KLAXON_SMTP_URL: s.url,
      KLAXON_TWILIO_ACCOUNT_SID: twilio.accountSid,
      KLAXON_TWILIO_AUTH_TOKEN: twilio.authToken,
      KLAXON_TWILIO_FROM: twilio.phoneNumber,
      KLAXON_TWILIO_BASE_URL: tw.url,
    };
    // Bootstrap an admin on the database, as `klaxon token create` does with the server stopped.
    const local = await localContext({ ...configFromEnv({}), databaseUrl: db.url });
    const admin = await createUser(local.ctx, SYSTEM, { email: 'admin@test.local', name: 'Admin', role: 'admin' });
    adminToken = (await createToken(local.ctx, SYSTEM, admin.id, 'test')).token;
    await local.close();
    await startServer();
  }, 60_000);

  afterAll(async () => {
    if (proc) await kill();
    await Promise.all([smtp.close(), twilio.close(), slack.close()]);
    await db?.drop();
  });

  it('every escalation step fires exactly once across two SIGKILLs', async () => {
    const alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', phone: '+15553330001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', phone: '+15553330002', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Core',
      repeat: 1,
      levels: [
        { delayMinutes: 5, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 5, targets: [{ type: 'user', id: bob.id }] },
      ],
    });
    const svc = await t.api('POST', '/api/v1/services', { name: 'core', escalationPolicyId: policy.body.escalationPolicy.id });
    const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
    const pages = (phone: string) => twilio.messages.filter((m) => m.to === phone && m.body.includes('Core switch down'));

    const r = await fetch(`${url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary: 'Core switch down', source: 'sw-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    expect(pages(alice.phone)).toHaveLength(1); // step 0: level 1

    // Kill 1: three minutes in, between level 1 and level 2.
    await t.advance(3 * MIN);
    await kill();
    await startServer();
    await t.cycle();
    expect(pages(alice.phone)).toHaveLength(1);
    expect(pages(bob.phone)).toHaveLength(0);
    await t.advance(2 * MIN); // 5 minutes: level 2
    expect(pages(bob.phone)).toHaveLength(1);

    // Kill 2: the clock passes the next step's due time and the process dies before its engine runs.
    await t.advance(5 * MIN, false);
    await kill();
    await startServer();
    await t.cycle(); // round 2, level 1: Alice again, once
    await t.cycle();
    expect(pages(alice.phone)).toHaveLength(2);
    expect(pages(bob.phone)).toHaveLength(1);

    await t.advance(5 * MIN); // round 2, level 2
    await t.advance(5 * MIN); // policy exhausted
    await t.advance(30 * MIN);
    expect(pages(alice.phone)).toHaveLength(2);
    expect(pages(bob.phone)).toHaveLength(2);

    const timeline = (await t.api('GET', '/api/v1/incidents/1/timeline')).body.timeline as { type: string; data: { step?: number } }[];
    const steps = timeline.filter((e) => e.type === 'escalation.level').map((e) => e.data.step);
    expect(steps).toEqual([0, 1, 2, 3]);
    expect(timeline.filter((e) => e.type === 'escalation.exhausted')).toHaveLength(1);
    expect(timeline.filter((e) => e.type === 'notification.sent')).toHaveLength(4);
  });
});

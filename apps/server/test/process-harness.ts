/**
 * Klaxon as real child processes (`klaxon serve`), for tests that kill instances: one or several
 * processes on one database, each on a fake clock (KLAXON_TEST_FAKE_CLOCK) that the cluster moves in
 * step, with the same fakes as the in-process harness.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { configFromEnv } from '../src/app/config.js';
import { localContext } from '../src/app/klaxon.js';
import { SYSTEM } from '../src/auth/actor.js';
import { createToken } from '../src/auth/tokens.js';
import { createUser } from '../src/user/service.js';
import { freePort, spawnNode, stop } from './child-process.js';
import { FakeSlack } from './fakes/slack.js';
import { FakeSmtpServer } from './fakes/smtp.js';
import { FakeTwilio } from './fakes/twilio.js';
import { freshDatabase, type DialectName, type TestKlaxon } from './harness.js';

const BIN = join(import.meta.dirname, '../bin/klaxon.js');

/** One `klaxon serve` process. */
export class KlaxonProcess {
  proc: ChildProcess | null = null;
  url = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The OS process id (lease owners carry it). */
  get pid(): number {
    return this.proc?.pid ?? -1;
  }

  /**
   * Starts the process with its fake clock at `now` and resolves once it is serving. A free port can
   * be taken by another test's server between finding it and listening on it: then another port.
   */
  async start(now: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce(now);
      } catch (err) {
        if (attempt >= 5 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
      }
    }
  }

  private async startOnce(now: number): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const { child, ready } = spawnNode([BIN, 'serve'], {
      env: { ...this.env, KLAXON_PORT: String(port), KLAXON_TEST_FAKE_CLOCK: new Date(now).toISOString() },
      readyLine: 'Klaxon is running',
      name: 'klaxon serve',
    });
    this.proc = child;
    await ready;
  }

  /** SIGTERM: the process shuts down as it would under a supervisor; resolves with its exit code once it is gone. */
  async terminate(): Promise<number | null> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return p?.exitCode ?? null;
    const code = await stop(p);
    this.proc = null;
    return code;
  }

  /** SIGKILL: no shutdown hooks, no flushing; waits until the process is gone. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = null;
  }
}

/** Several processes on one database with fakes, driven as one: the clock moves on all of them. */
export class KlaxonCluster implements Pick<TestKlaxon, 'api' | 'cycle' | 'smtp' | 'twilio' | 'slack'> {
  readonly smtp = new FakeSmtpServer();
  readonly twilio = new FakeTwilio();
  readonly slack = new FakeSlack();
  readonly nodes: KlaxonProcess[] = [];
  now = Date.parse('2026-03-02T09:00:00Z');
  adminToken = '';
  /** The database all instances share. */
  dbUrl = '';
  private drop: () => Promise<void> = async () => {};

  /** Starts the fakes, a fresh database with an admin token, and `n` processes. */
  async start(dialect: DialectName, n: number): Promise<void> {
    const [s, tw] = await Promise.all([this.smtp.start(), this.twilio.start(), this.slack.start()]);
    const db = await freshDatabase(dialect);
    this.drop = db.drop;
    this.dbUrl = db.url;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KLAXON_LOG_LEVEL: 'error',
      KLAXON_EGRESS_ALLOW: '127.0.0.1/32',
      KLAXON_DATABASE_URL: db.url,
      KLAXON_SMTP_URL: s.url,
      KLAXON_TWILIO_ACCOUNT_SID: this.twilio.accountSid,
      KLAXON_TWILIO_AUTH_TOKEN: this.twilio.authToken,
      KLAXON_TWILIO_FROM: this.twilio.phoneNumber,
      KLAXON_TWILIO_BASE_URL: tw.url,
    };
    // Bootstrap an admin on the database, as `klaxon token create` does with the server stopped.
    const local = await localContext({ ...configFromEnv({}), databaseUrl: db.url });
    const admin = await createUser(local.ctx, SYSTEM, { email: 'admin@test.local', name: 'Admin', role: 'admin' });
    this.adminToken = (await createToken(local.ctx, SYSTEM, admin.id, 'test')).token;
    await local.close();
    for (let i = 0; i < n; i++) this.nodes.push(new KlaxonProcess(env));
    await Promise.all(this.nodes.map((p) => p.start(this.now)));
  }

  /** A live node to send API calls to. */
  get url(): string {
    const live = this.nodes.find((p) => p.proc);
    if (!live) throw new Error('no live instance');
    return live.url;
  }

  async api(method: string, path: string, body?: unknown, token = this.adminToken): Promise<{ status: number; body: any }> {
    return callApi(this.url, method, path, body, token);
  }

  /** Runs an engine cycle on every live instance at once (they compete for the same work). */
  async cycle(): Promise<void> {
    await Promise.all(this.nodes.filter((p) => p.proc).map((p) => callApi(p.url, 'POST', '/api/v1/test/cycle', undefined, this.adminToken)));
  }

  /** Moves every live instance's clock by `ms`, then (by default) runs a cycle on all of them. */
  async advance(ms: number, cycle = true): Promise<void> {
    this.now += ms;
    await Promise.all(this.nodes.filter((p) => p.proc).map((p) => callApi(p.url, 'POST', '/api/v1/test/clock', { advanceMs: ms }, this.adminToken)));
    if (cycle) await this.cycle();
  }

  /** Restarts a killed instance with its clock at the cluster's time. */
  async restart(node: KlaxonProcess): Promise<void> {
    await node.start(this.now);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((p) => p.kill()));
    await Promise.all([this.smtp.close(), this.twilio.close(), this.slack.close()]);
    await this.drop();
  }
}

async function callApi(base: string, method: string, path: string, body: unknown, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

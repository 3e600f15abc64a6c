import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import { SYSTEM } from '../../src/auth/actor.js';
import { must } from '../../src/lib/must.js';
import { createUser } from '../../src/user/service.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/klaxon.js');

async function klaxon(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, KLAXON_LOG_LEVEL: 'error', ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('klaxon token create works on the local database with the server stopped', () => {
  it('creates a token that the API then accepts', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'klaxon-cli-')), 'k.db');
    const local = await localContext({ ...configFromEnv({}), databaseUrl: dbFile });
    await createUser(local.ctx, SYSTEM, { email: 'ops@example.com', name: 'Ops', role: 'admin' });
    await local.close();
    const r = await klaxon(['token', 'create', '--user', 'ops@example.com', '--name', 'laptop'], { KLAXON_DATABASE_URL: dbFile });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^klx_[A-Za-z0-9_-]{40,}$/);
    expect(r.stderr).toContain('shown once');
    const unknown = await klaxon(['token', 'create', '--user', 'nobody@example.com'], { KLAXON_DATABASE_URL: dbFile });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('User not found');
  });

  it('creates a token limited to read-only, one team and an expiry', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'klaxon-cli-')), 'k.db');
    const local = await localContext({ ...configFromEnv({}), databaseUrl: dbFile });
    const ops = await createUser(local.ctx, SYSTEM, { email: 'ops@example.com', name: 'Ops', role: 'admin' });
    const { createTeam } = await import('../../src/team/service.js');
    const team = await createTeam(local.ctx, SYSTEM, { name: 'Payments' });
    await local.close();
    const r = await klaxon(['token', 'create', '--user', 'ops@example.com', '--name', 'bot', '--read-only', '--team', 'Payments', '--expires-in-days', '30'], { KLAXON_DATABASE_URL: dbFile });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`read-only, team ${team.id} only, expires `);
    const check = await localContext({ ...configFromEnv({}), databaseUrl: dbFile });
    const { listTokens } = await import('../../src/auth/tokens.js');
    const [tok] = await listTokens(check.ctx, SYSTEM, ops.id);
    await check.close();
    expect(tok).toMatchObject({ name: 'bot', readOnly: true, teamId: team.id });
    const created = must(tok, 'the token');
    expect(must(created.expiresAt, 'expiresAt of the token') - created.createdAt).toBe(30 * 86_400_000);
    const bad = await klaxon(['token', 'create', '--user', 'ops@example.com', '--expires-in-days', 'soon'], { KLAXON_DATABASE_URL: dbFile });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--expires-in-days');
  });
});

describe.each(DIALECTS)('klaxon trigger / incidents / ack / resolve against a running server (%s)', (dialect) => {
  let t: TestKlaxon;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    await t.api('POST', '/api/v1/services', { name: 'storage' });
    env = { KLAXON_URL: t.url, KLAXON_TOKEN: t.adminToken };
  });
  afterAll(() => t?.stop());

  it('opens, lists, acknowledges and resolves an incident; the timeline says it came from the CLI', async () => {
    const opened = await klaxon(['trigger', '--service', 'storage', '--title', 'Disk array degraded', '--severity', 'error'], env);
    expect(opened.code).toBe(0);
    expect(opened.stdout).toMatch(/Opened #1 +triggered +error +storage +Disk array degraded/);
    const list = await klaxon(['incidents'], env);
    expect(list.stdout).toContain('Disk array degraded');
    const json = JSON.parse((await klaxon(['incidents', '--json'], env)).stdout);
    expect(json[0]).toMatchObject({ number: 1, status: 'triggered' });
    expect((await klaxon(['ack', '1'], env)).stdout).toMatch(/^Acknowledged #1/);
    expect((await klaxon(['ack', '#1'], env)).stdout).toContain('already acknowledged');
    expect((await klaxon(['resolve', '1'], env)).stdout).toMatch(/^Resolved #1/);
    expect((await klaxon(['incidents'], env)).stdout).toContain('No incidents.');
    const timeline = (await t.api('GET', '/api/v1/incidents/1/timeline')).body.timeline;
    expect(timeline.map((e: { channel: string }) => e.channel)).toEqual(expect.arrayContaining(['cli']));
  });

  it('says clearly what is wrong', async () => {
    const noToken = await klaxon(['incidents'], { KLAXON_URL: t.url });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('KLAXON_TOKEN');
    const badService = await klaxon(['trigger', '--service', 'nope', '--title', 'x'], env);
    expect(badService.code).toBe(1);
    expect(badService.stderr).toContain('unknown service');
    const down = await klaxon(['incidents'], { KLAXON_URL: 'http://127.0.0.1:9', KLAXON_TOKEN: 'x' });
    expect(down.stderr).toContain('Cannot reach Klaxon');
  });
});

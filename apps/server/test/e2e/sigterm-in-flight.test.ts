/**
 * SIGTERM with a send in flight: `klaxon serve` runs as a real child process and pages by e-mail
 * through an SMTP server that never answers. On SIGTERM it stops claiming, waits
 * KLAXON_SHUTDOWN_GRACE_MS for the send, then hands the message's lease back and exits (instead of
 * waiting for the SMTP timeouts, or leaving the message leased for a minute). The next start sends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import { SYSTEM } from '../../src/auth/actor.js';
import { HANDED_BACK } from '../../src/engine/modules/delivery.js';
import { createPolicy } from '../../src/escalation/service.js';
import { must } from '../../src/lib/must.js';
import { createIntegration, createService } from '../../src/service/service.js';
import { createToken } from '../../src/auth/tokens.js';
import { addContactMethod, addNotificationRule, createUser, verifyContactMethod } from '../../src/user/service.js';
import { SilentSmtpServer } from '../fakes/silent-smtp.js';
import { FakeSmtpServer } from '../fakes/smtp.js';
import { DIALECTS, freshDatabase } from '../harness.js';
import { KlaxonProcess } from '../process-harness.js';

const NOW = Date.parse('2026-03-02T09:00:00Z');

describe.each(DIALECTS)('SIGTERM of a real server process with a send in flight (%s)', (dialect) => {
  const silent = new SilentSmtpServer();
  const smtp = new FakeSmtpServer();
  let db: { url: string; drop(): Promise<void> };
  let key = '';
  let token = '';
  let silentUrl = '';
  let smtpUrl = '';
  const procs: KlaxonProcess[] = [];

  beforeAll(async () => {
    [silentUrl, smtpUrl] = (await Promise.all([silent.start(), smtp.start()])).map((r) => r.url) as [string, string];
    db = await freshDatabase(dialect);
    const local = await localContext({ ...configFromEnv({}), databaseUrl: db.url });
    const ctx = local.ctx;
    const admin = await createUser(ctx, SYSTEM, { email: 'admin@test.local', name: 'Admin', role: 'admin' });
    token = (await createToken(ctx, SYSTEM, admin.id, 'test')).token;
    const user = await createUser(ctx, SYSTEM, { email: 'hal@example.com', name: 'Hal' });
    const cm = await addContactMethod(ctx, SYSTEM, user.id, { name: 'mail', type: 'email', address: 'hal@example.com' });
    const v = await ctx.db.kysely.selectFrom('outbox').select('content').where('contact_method_id', '=', cm.id).executeTakeFirstOrThrow();
    await verifyContactMethod(ctx, SYSTEM, cm.id, (JSON.parse(v.content) as { code: string }).code);
    await ctx.db.kysely.deleteFrom('outbox').execute(); // the code was read from it
    await addNotificationRule(ctx, SYSTEM, user.id, { contactMethodId: cm.id, delayMinutes: 0 });
    const policy = await createPolicy(ctx, SYSTEM, { name: 'Mail', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: user.id }] }] });
    const svc = await createService(ctx, SYSTEM, { name: 'mail', escalationPolicyId: policy.id });
    key = must((await createIntegration(ctx, SYSTEM, svc.id, { name: 'g', kind: 'generic' })).key, 'the key of the generic integration');
    await local.close();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await Promise.all([silent.close(), smtp.close()]);
    await db?.drop();
  });

  const env = (smtpUrl: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KLAXON_LOG_LEVEL: 'error',
    KLAXON_DATABASE_URL: db.url,
    KLAXON_SMTP_URL: smtpUrl,
    KLAXON_SHUTDOWN_GRACE_MS: '1000', // shorter than the SMTP greeting timeout (5 s)
  });

  it('hands the lease of a hung send back within the grace period, and the next start sends it', async () => {
    const first = new KlaxonProcess(env(silentUrl));
    procs.push(first);
    await first.start(NOW);
    const r = await fetch(`${first.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ summary: 'Relay hung at shutdown', dedup_key: 'relay' }),
    });
    expect(r.status).toBeLessThan(300);
    await silent.waitForConnections(1); // the page is being sent: the server took the connection and says nothing

    expect(await first.terminate()).toBe(0);
    const local = await localContext({ ...configFromEnv({}), databaseUrl: db.url });
    const row = await local.ctx.db.kysely.selectFrom('outbox').select(['status', 'lease_owner', 'lease_until', 'last_error', 'next_attempt_at']).where('kind', '=', 'page').executeTakeFirstOrThrow();
    await local.close();
    expect(row).toMatchObject({ status: 'queued', lease_owner: null, lease_until: null, last_error: HANDED_BACK });
    expect(Number(row.next_attempt_at)).toBeLessThanOrEqual(NOW);

    // The next start (with a mail server that answers) sends it in its first cycle, without waiting out a lease.
    const second = new KlaxonProcess(env(smtpUrl));
    procs.push(second);
    await second.start(NOW);
    const cycle = await fetch(`${second.url}/api/v1/test/cycle`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(cycle.status).toBeLessThan(300);
    const mail = await smtp.waitFor((m) => m.to.includes('hal@example.com') && m.subject.includes('Relay hung at shutdown'));
    expect(mail.headers['x-klaxon-message-id']).toBeDefined();
    expect(await second.terminate()).toBe(0);
  });
});

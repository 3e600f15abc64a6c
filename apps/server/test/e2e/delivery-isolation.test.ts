/**
 * A page never waits behind another channel: Klaxon pages one person by e-mail and SMS while its
 * SMTP server accepts connections and never answers (no greeting). Each SMS is sent and its outbox
 * row marked `sent` while the e-mail of the same incident is still in flight, and once the e-mail
 * channel's slots are all taken by hung sends, new e-mails wait while new SMS still go out. The
 * channel's last slot is kept for a new incident's first page (delivery.ts firstPageSlots).
 * Waits are on events (the live timeline event of the send, connections at the silent server), never on time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import { SYSTEM } from '../../src/auth/actor.js';
import type { LiveEvent } from '../../src/context.js';
import { createPolicy } from '../../src/escalation/service.js';
import { must } from '../../src/lib/must.js';
import { enqueueMessage } from '../../src/notify/outbox.js';
import { createIntegration, createService } from '../../src/service/service.js';
import { addContactMethod, addNotificationRule, createUser, verifyContactMethod } from '../../src/user/service.js';
import { SilentSmtpServer } from '../fakes/silent-smtp.js';
import { DIALECTS, freshDatabase, startTestKlaxon, type TestKlaxon } from '../harness.js';

const HOUR = 3_600_000;

describe.each(DIALECTS)('delivery with an SMTP server that never answers (%s)', (dialect) => {
  const silent = new SilentSmtpServer();
  let t: TestKlaxon;
  let key: string;
  let db: { url: string; drop(): Promise<void> };
  let ordinary = '';
  const events: LiveEvent[] = [];
  const waiters: { pred: (e: LiveEvent) => boolean; resolve: () => void }[] = [];

  beforeAll(async () => {
    const { url } = await silent.start();
    // The person and their verified methods are set up before the server starts (as `klaxon apply`
    // would), so no verification e-mail is in flight: every e-mail the silent server sees is a page.
    db = await freshDatabase(dialect);
    const local = await localContext({ ...configFromEnv({}), databaseUrl: db.url });
    const ctx = local.ctx;
    const user = await createUser(ctx, SYSTEM, { email: 'gail@example.com', name: 'Gail' });
    for (const [type, address] of [
      ['email', 'gail@example.com'],
      ['sms', '+15557770001'],
    ] as const) {
      const cm = await addContactMethod(ctx, SYSTEM, user.id, { name: type, type, address });
      const v = await ctx.db.kysely.selectFrom('outbox').select('content').where('contact_method_id', '=', cm.id).where('kind', '=', 'verification').executeTakeFirstOrThrow();
      await verifyContactMethod(ctx, SYSTEM, cm.id, (JSON.parse(v.content) as { code: string }).code);
      await addNotificationRule(ctx, SYSTEM, user.id, { contactMethodId: cm.id, delayMinutes: 0 });
    }
    await ctx.db.kysely.deleteFrom('outbox').execute(); // the codes were read from it
    const policy = await createPolicy(ctx, SYSTEM, { name: 'Mail', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: user.id }] }] });
    const svc = await createService(ctx, SYSTEM, { name: 'mail', escalationPolicyId: policy.id });
    key = must((await createIntegration(ctx, SYSTEM, svc.id, { name: 'g', kind: 'generic' })).key, 'the key of the generic integration');
    await local.close();
    // Timeouts far longer than the test: the e-mails stay in flight until the server is closed.
    t = await startTestKlaxon(dialect, {
      databaseUrl: db.url,
      smtp: { url, from: 'Klaxon <klaxon@test.local>', timeouts: { connection: HOUR, greeting: HOUR, socket: HOUR } },
      deliveryInFlightPerChannel: 2,
    });
    t.k.live.on('event', (e: LiveEvent) => {
      events.push(e);
      for (const w of waiters.filter((w) => w.pred(e))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  afterAll(async () => {
    await silent.close(); // the hung sends fail now (temporary), so stopping does not wait
    await t?.stop();
    await db?.drop();
  });

  function nextEvent(pred: (e: LiveEvent) => boolean): Promise<void> {
    if (events.some(pred)) return Promise.resolve();
    return new Promise((resolve) => waiters.push({ pred, resolve }));
  }
  async function trigger(summary: string): Promise<string> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ summary, dedup_key: summary }) });
    expect(r.status).toBeLessThan(300);
    // The incident wakes the engine: escalation, notification and delivery run without a cycle from the test.
    const inc = await t.k.ctx.db.kysely.selectFrom('incidents').select('id').where('title', '=', summary).executeTakeFirstOrThrow();
    return inc.id;
  }
  const smsSent = (incidentId: string) => nextEvent((e) => e.type === 'timeline' && e.incidentId === incidentId && e.data?.type === 'notification.sent');
  const rows = async (incidentId: string) =>
    Object.fromEntries((await t.k.ctx.db.kysely.selectFrom('outbox').select(['channel', 'status', 'attempts']).where('incident_id', '=', incidentId).execute()).map((r) => [r.channel, r]));

  it('marks the SMS page sent while the e-mail page of the same incident hangs', async () => {
    const id = await trigger('Mail relay wedged 1');
    await smsSent(id);
    expect(t.twilio.messages.filter((m) => m.body.includes('Mail relay wedged 1'))).toHaveLength(1);
    const r = await rows(id);
    expect(r.sms).toMatchObject({ status: 'sent', attempts: 1 });
    expect(r.email).toMatchObject({ status: 'sending', attempts: 1 }); // still waiting for a greeting
    await silent.waitForConnections(1);
    expect(silent.open).toBe(1);
  });

  it("keeps the channel's last slot for a new incident's first page: an ordinary e-mail due before it waits", async () => {
    // One e-mail slot of two is held (the first test's page). An ordinary message (priority 1) is due
    // first; the next incident's first page takes the kept slot, and the ordinary message is not
    // claimed beside it (before, a claim took both: the channel still had a free slot).
    const gail = await t.k.ctx.db.kysely.selectFrom('users').select('id').where('email', '=', 'gail@example.com').executeTakeFirstOrThrow();
    ordinary = await t.k.ctx.db.kysely
      .transaction()
      .execute((trx) => enqueueMessage(trx, t.k.ctx.clock.now(), { channel: 'email', destination: 'gail@example.com', message: { kind: 'test', userName: 'Gail' }, userId: gail.id }));
    const second = await trigger('Mail relay wedged 2');
    await smsSent(second);
    await silent.waitForConnections(2); // both e-mail slots (KLAXON_DELIVERY_IN_FLIGHT_PER_CHANNEL=2) are now held
    expect((await rows(second)).email).toMatchObject({ status: 'sending' });
    expect(await t.k.ctx.db.kysely.selectFrom('outbox').select(['status', 'attempts']).where('id', '=', ordinary).executeTakeFirstOrThrow()).toEqual({ status: 'queued', attempts: 0 });
  });

  it('with every e-mail slot held by a hung send, new e-mails wait and new SMS still go out', async () => {
    const third = await trigger('Mail relay wedged 3');
    await smsSent(third);
    expect(t.twilio.messages.filter((m) => m.body.includes('Mail relay wedged 3'))).toHaveLength(1);
    const r = await rows(third);
    expect(r.sms).toMatchObject({ status: 'sent' });
    expect(r.email).toMatchObject({ status: 'queued', attempts: 0 }); // not claimed: its channel has no free slot
    expect((await t.k.ctx.db.kysely.selectFrom('outbox').select('status').where('id', '=', ordinary).executeTakeFirstOrThrow()).status).toBe('queued');
    expect(silent.accepted).toBe(2);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv, type KlaxonConfig } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { parseConfigFile } from '../../src/config/load.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { must } from '../../src/lib/must.js';
import { capture, DIALECTS, freshDatabase, startTestKlaxon, type TestKlaxon } from '../harness.js';

const FILE = `version: 1
users:
  - email: ada@example.com
    name: Ada
    timeZone: UTC
    role: responder
    contactMethods:
      - { name: email, type: email, address: ada@example.com }
`;

// `klaxon apply` works with the server stopped: it writes the contact method and queues its
// verification code, and the server sends the code when it starts, maybe hours later. The code is
// good for 15 minutes from when it is sent, not from when apply queued it.
describe.each(DIALECTS)('klaxon apply with the server stopped: verification codes (%s)', (dialect) => {
  let t: TestKlaxon | undefined;
  const server = (): TestKlaxon => must(t, 'the test server');
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await t?.stop();
    await drop?.();
  });

  it('a code queued by apply two hours before the server starts still works when it arrives, for 15 minutes', async () => {
    const db = await freshDatabase(dialect);
    drop = db.drop;
    // Apply at 07:00 with no server running.
    const local = await localContext({ ...configFromEnv({}), databaseUrl: db.url } as KlaxonConfig, createLogger('silent'));
    local.ctx.clock = new FakeClock('2026-03-02T07:00:00Z');
    const result = await applyConfig(local.ctx, SYSTEM, parseConfigFile('klaxon.yaml', FILE), { file: 'klaxon.yaml', dryRun: false });
    expect(result.changes.join('\n')).toContain('ada@example.com');
    await local.close();

    // The server starts at 09:00 (the harness clock) on the same database and sends the code.
    t = await startTestKlaxon(dialect, { databaseUrl: db.url });
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('ada@example.com') && /verification/i.test(m.subject + m.text));
    const code = capture(/\b(\d{6})\b/, mail.text);
    const ada = (await t.api('GET', '/api/v1/users/ada@example.com')).body.user.id as string;
    const cm = (await t.api('GET', `/api/v1/users/${ada}/contact-methods`)).body.contactMethods[0];
    const token = (await t.api('POST', `/api/v1/users/${ada}/tokens`, { name: 't' })).body.token as string;

    await t.advance(10 * 60_000); // read 10 minutes after it arrived
    const ok = await t.api('POST', `/api/v1/contact-methods/${cm.id}/verify`, { code }, token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.contactMethod.verified).toBe(true);
  });

  it('a code that arrived more than 15 minutes ago has expired', async () => {
    const ada = (await server().api('GET', '/api/v1/users/ada@example.com')).body.user.id as string;
    const token = (await server().api('POST', `/api/v1/users/${ada}/tokens`, { name: 't2' })).body.token as string;
    const cm = await server().api('POST', `/api/v1/users/${ada}/contact-methods`, { name: 'work', type: 'email', address: 'ada@work.example.com' }, token);
    await server().cycle();
    const mail = await server().smtp.waitFor((m) => m.to.includes('ada@work.example.com') && /verification/i.test(m.subject + m.text));
    const code = capture(/\b(\d{6})\b/, mail.text);
    await server().advance(16 * 60_000);
    const late = await server().api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code }, token);
    expect(late.status).toBe(400);
    expect(late.body.error.message).toMatch(/expired/);
  });
});

describe('the API documents contact verification', () => {
  it('the OpenAPI document lists adding, re-sending and verifying with a summary each', async () => {
    const t = await startTestKlaxon('sqlite');
    try {
      const doc = (await t.api('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, { summary?: string }>> };
      for (const path of ['/api/v1/users/{id}/contact-methods', '/api/v1/contact-methods/{id}/send-verification', '/api/v1/contact-methods/{id}/verify']) {
        expect(doc.paths[path]?.post?.summary, path).toMatch(/verif/i);
      }
    } finally {
      await t.stop();
    }
  });
});

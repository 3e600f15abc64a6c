import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { parseConfigFile } from '../../src/config/load.js';
import { must } from '../../src/lib/must.js';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

/** A real SMTP client (Nodemailer) against Klaxon's listener. */
function client(port: number, opts: { requireTLS?: boolean; ignoreTLS?: boolean } = {}) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: opts.ignoreTLS ?? !opts.requireTLS,
    requireTLS: opts.requireTLS ?? false,
    tls: { rejectUnauthorized: false },
  });
}

async function refusal(p: Promise<unknown>): Promise<{ responseCode?: number; command?: string; response?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { responseCode?: number; command?: string };
  }
  throw new Error('the message was accepted');
}

describe.each(DIALECTS)('Email in: an integration address through a real SMTP client (%s)', (dialect) => {
  let t: TestKlaxon;
  let address = '';
  let genericKey = '';
  let port = 0;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect, { inboundSmtp: { port: 0, domain: 'inbound.test', maxBytes: 32 * 1024 } });
    port = must(t.k.inboundSmtpPort, 't.k.inboundSmtpPort');
    const alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Backups', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: alice.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'backups', escalationPolicyId: policy.body.escalationPolicy.id });
    const r = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'cron mail', kind: 'email' });
    expect(r.status).toBe(201);
    expect(r.body.integration.endpoint).toBe(`${r.body.integration.key}@inbound.test`);
    address = r.body.integration.endpoint;
    const g = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'json', kind: 'generic' });
    genericKey = g.body.integration.key;
  });
  afterAll(() => t?.stop());

  it('a mail opens an incident (committed when SMTP answers 250), repeats join it, "[RESOLVED]" resolves it', async () => {
    const info = await client(port).sendMail({
      from: 'cron@db-1.example.com',
      to: address,
      subject: 'Backup failed on db-1',
      text: 'pg_dump exited with status 1\nsee /var/log/backup.log',
      headers: { 'X-Backup-Job': 'nightly' },
    });
    expect(info.accepted).toEqual([address]);
    // No cycle needed: the 250 came after the commit.
    const open = (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents;
    expect(open.map((i: { title: string }) => i.title)).toEqual(['Backup failed on db-1']);
    const alerts = (await t.api('GET', `/api/v1/incidents/${open[0].id}/alerts`)).body.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0].dedupKey).toBe('Backup failed on db-1');
    expect(alerts[0].details.body).toContain('pg_dump exited with status 1');
    expect(alerts[0].details.headers['x-backup-job']).toBe('nightly');
    expect(alerts[0].details.from).toContain('cron@db-1.example.com');

    await t.cycle();
    expect(t.smtp.messages.filter((m) => m.to.includes('alice@example.com') && /Backup failed on db-1/.test(m.subject))).toHaveLength(1);

    await client(port).sendMail({ from: 'cron@db-1.example.com', to: address, subject: 'Re: Backup failed on db-1', text: 'still failing' });
    expect((await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents).toHaveLength(1);

    await client(port).sendMail({ from: 'cron@db-1.example.com', to: address, subject: '[RESOLVED] Backup failed on db-1', text: 'ok now' });
    expect((await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents).toHaveLength(0);
    const closed = (await t.api('GET', '/api/v1/incidents?status=resolved')).body.incidents;
    expect(closed.map((i: { id: string }) => i.id)).toContain(open[0].id);
  });

  it('unknown addresses are refused at RCPT TO with 550: another key, another domain, a key of another kind', async () => {
    for (const to of [`nosuchkey000000@inbound.test`, address.replace('@inbound.test', '@elsewhere.test'), `${genericKey}@inbound.test`]) {
      const err = await refusal(client(port).sendMail({ from: 'a@b.test', to, subject: 'Should not arrive', text: 'x' }));
      expect(err.responseCode).toBe(550);
      expect(err.command).toBe('RCPT TO');
    }
    expect((await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents).toHaveLength(0);
  });

  it("a flood to one address is refused at RCPT TO with 451 once over the integration's rate limit, counted, and accepted again a minute later", async () => {
    const svc = (await t.api('POST', '/api/v1/services', { name: 'flooded' })).body.service.id;
    const flood = (await t.api('POST', `/api/v1/services/${svc}/integrations`, { name: 'noisy cron', kind: 'email' })).body.integration;
    expect((await t.api('PATCH', `/api/v1/integrations/${flood.id}`, { rateLimitPerMinute: 3 })).status).toBe(200);
    const rejected = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('klaxon_events_rejected_total{') && l.includes('kind="email"') && l.includes('reason="rate_limited"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await rejected();
    for (let i = 1; i <= 3; i++) {
      const info = await client(port).sendMail({ from: 'cron@db-1.example.com', to: flood.endpoint, subject: `Flood ${i}`, text: 'x' });
      expect(info.accepted).toEqual([flood.endpoint]);
    }
    const err = await refusal(client(port).sendMail({ from: 'cron@db-1.example.com', to: flood.endpoint, subject: 'Flood 4', text: 'x' }));
    expect(err.responseCode).toBe(451);
    expect(err.command).toBe('RCPT TO');
    expect(err.response).toMatch(/Rate limit of 3 messages a minute/);
    expect(await rejected()).toBe(before + 1);
    const titles = (await t.api('GET', `/api/v1/incidents?service=${svc}&limit=50`)).body.incidents.map((i: { title: string }) => i.title).sort();
    expect(titles).toEqual(['Flood 1', 'Flood 2', 'Flood 3']);
    // Another address is not held back by this one's limit.
    expect((await client(port).sendMail({ from: 'cron@db-1.example.com', to: address, subject: 'Unrelated', text: 'x' })).accepted).toEqual([address]);
    await client(port).sendMail({ from: 'cron@db-1.example.com', to: address, subject: '[RESOLVED] Unrelated', text: 'x' });
    // A minute later the bucket has refilled.
    t.clock.advance(60_000);
    expect((await client(port).sendMail({ from: 'cron@db-1.example.com', to: flood.endpoint, subject: 'Flood 5', text: 'x' })).accepted).toEqual([flood.endpoint]);
    for (const i of (await t.api('GET', `/api/v1/incidents?service=${svc}&limit=50`)).body.incidents) await t.api('POST', `/api/v1/incidents/${i.id}/resolve`);
  });

  it('a message over the size limit is refused with 552 and raises nothing', async () => {
    const err = await refusal(client(port).sendMail({ from: 'a@b.test', to: address, subject: 'Huge report', text: 'x'.repeat(40 * 1024) }));
    expect(err.responseCode).toBe(552);
    expect((await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents).toHaveLength(0);
  });

  it('an email integration in klaxon.yaml gets its address from the key given there', async () => {
    const doc = parseConfigFile('klaxon.yaml', 'version: 1\nservices:\n  - name: reports\n    integrations:\n      - name: mail\n        kind: email\n        key: reports-mail-key-0001\n');
    await applyConfig(t.k.ctx, SYSTEM, doc, { dryRun: false });
    const info = await client(port).sendMail({ from: 'a@b.test', to: 'reports-mail-key-0001@inbound.test', subject: 'Report job stuck', text: 'x' });
    expect(info.accepted).toHaveLength(1);
    const open = (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents;
    expect(open.map((i: { title: string }) => i.title)).toEqual(['Report job stuck']);
    await client(port).sendMail({ from: 'a@b.test', to: 'reports-mail-key-0001@inbound.test', subject: 'RESOLVED: Report job stuck', text: 'x' });
    expect((await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents).toHaveLength(0);
  });

  it('STARTTLS is not offered without a certificate', async () => {
    const err = await refusal(client(port, { requireTLS: true }).sendMail({ from: 'a@b.test', to: address, subject: 'TLS only', text: 'x' }));
    expect(String((err as Error).message)).toMatch(/STARTTLS/i);
  });
});

describe('Email in: STARTTLS with a configured certificate', () => {
  let t: TestKlaxon;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-smtp-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=inbound.test'], {
      stdio: 'ignore',
    });
    t = await startTestKlaxon('sqlite', { inboundSmtp: { port: 0, domain: 'inbound.test', maxBytes: 32 * 1024, tls: { keyFile: join(dir, 'key.pem'), certFile: join(dir, 'cert.pem') } } });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a client that requires TLS delivers over STARTTLS', async () => {
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'P', levels: [] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'tls', escalationPolicyId: policy.body.escalationPolicy?.id });
    const r = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'mail', kind: 'email' });
    const info = await client(must(t.k.inboundSmtpPort, 't.k.inboundSmtpPort'), { requireTLS: true }).sendMail({ from: 'a@b.test', to: r.body.integration.endpoint, subject: 'Over TLS', text: 'x' });
    expect(info.accepted).toHaveLength(1);
    const open = (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents;
    expect(open.map((i: { title: string }) => i.title)).toEqual(['Over TLS']);
  });
});

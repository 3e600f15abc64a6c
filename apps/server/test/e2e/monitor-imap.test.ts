import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor, parseImapUrl } from '../../src/cli/monitor.js';
import { must } from '../../src/lib/must.js';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import type { FakeMail } from '../fakes/smtp.js';

/** hoodiecrow-imap: a real IMAP4rev1 server in memory (no types of its own). */
interface ImapServer {
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  server: { address(): AddressInfo };
  appendMessage(mailbox: string, flags: string[], internaldate: Date, raw: string): void;
  getMailbox(path: string): { messages: { flags: string[] }[] };
}
const hoodiecrow = createRequire(import.meta.url)('hoodiecrow-imap') as (o: object) => ImapServer;

/** The mail as the mailbox gets it (RFC 5322; a non-ASCII subject as an RFC 2047 encoded word). */
function rfc822(m: FakeMail): string {
  const subject = /^[\x20-\x7e]*$/.test(m.subject) ? m.subject : `=?UTF-8?B?${Buffer.from(m.subject).toString('base64')}?=`;
  return [`From: ${m.headerFrom}`, `To: ${m.headerTo}`, `Subject: ${subject}`, `Message-ID: ${m.messageId}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', m.text].join('\r\n');
}

// `klaxon monitor --imap`: the page comes back by email to an inbox the monitor reads over IMAP
// (imapflow), here a real IMAP server from npm (hoodiecrow-imap). The fake SMTP server stands for the
// mail server: each page mailed to the watcher is put in the watcher's INBOX.
describe.each(DIALECTS)('klaxon monitor: the page back in an IMAP inbox (%s)', (dialect) => {
  let t: TestKlaxon;
  let imap: ImapServer;
  let monitor: Monitor;
  const lines: string[] = [];
  const delivered = new Set<string>();

  /** Delivers the watcher's new mails from the SMTP fake into the IMAP inbox. */
  const deliver = () => {
    for (const m of t.smtp.messages)
      if (m.to.includes('watch@example.com') && !delivered.has(m.messageId)) {
        delivered.add(m.messageId);
        imap.appendMessage('INBOX', [], new Date(t.clock.now()), rfc822(m));
      }
  };
  const metric = async (name: string) => (await monitor.registry.metrics()).split('\n').find((l) => l.startsWith(name)) ?? '';

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    imap = hoodiecrow({ users: { monitor: { password: 's3cret' } }, storage: { INBOX: { messages: [] } } });
    await new Promise<void>((r) => imap.listen(0, '127.0.0.1', r));
    const watcher = await addResponder(t, { name: 'Watcher', email: 'watch@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Watch', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: watcher.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'klaxon-watch', escalationPolicyId: policy.body.escalationPolicy.id });
    const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'monitor', kind: 'generic' })).body.integration.key as string;
    deliver(); // the verification mail: read by nobody, never a probe
    monitor = new Monitor({
      klaxonUrl: t.url,
      integrationKey: key,
      host: '127.0.0.1',
      port: 0,
      limitMs: 120_000,
      twilio: { baseUrl: must(t.k.config.twilio, 't.k.config.twilio').baseUrl, accountSid: t.twilio.accountSid, authToken: t.twilio.authToken, from: t.twilio.phoneNumber, to: '+15557770000' },
      clock: t.clock,
      out: (l) => lines.push(l),
      imapUrl: `imap://monitor:s3cret@127.0.0.1:${imap.server.address().port}/INBOX`,
    });
    await monitor.start();
  });
  afterAll(async () => {
    await monitor?.stop();
    await new Promise<void>((r) => (imap ? imap.close(() => r()) : r()));
    await t?.stop();
  });

  it('a probe comes back as an email in the inbox: round trip measured, the mail marked seen, the probe resolved, no SMS', async () => {
    const id = await monitor.probe();
    t.clock.advance(4_000);
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('watch@example.com') && m.subject.includes(id));
    await monitor.pollInbox();
    expect(lines.some((l) => l.includes(`probe ${id}`) && l.includes('page back'))).toBe(false); // not in the inbox yet
    deliver();
    await monitor.pollInbox();
    expect(lines).toContain(`probe ${id}: page back in 4.0 s (email)`);
    expect(await metric('klaxon_monitor_probes_total{result="ok"}')).toBe('klaxon_monitor_probes_total{result="ok"} 1');
    expect(must(imap.getMailbox('INBOX').messages.at(-1), 'the last message in INBOX').flags).toContain('\\Seen');
    await expect.poll(async () => (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents.length).toBe(0);
    // Read again: the mail was marked seen, so it does not count twice.
    await monitor.pollInbox();
    expect(await metric('klaxon_monitor_probes_total{result="ok"}')).toBe('klaxon_monitor_probes_total{result="ok"} 1');
    await monitor.check();
    expect(t.twilio.messages.filter((m) => m.to === '+15557770000')).toHaveLength(0);
  });

  it('a page that never reaches the inbox is late: the fallback SMS goes out through Twilio directly', async () => {
    const id = await monitor.probe();
    await t.cycle(); // mailed, but the mail server never puts it in the inbox
    await t.smtp.waitFor((m) => m.to.includes('watch@example.com') && m.subject.includes(id));
    t.clock.advance(121_000);
    await monitor.pollInbox();
    await monitor.check();
    const sms = t.twilio.messages.filter((m) => m.to === '+15557770000');
    expect(sms).toHaveLength(1);
    expect(must(sms[0], 'sms[0]').body).toContain(`probe ${id} did not come back within 120 s`);
  });

  it('a wrong password is reported as a line (and the probe then comes back late); bad URLs are refused', async () => {
    const bad = new Monitor({
      klaxonUrl: t.url,
      integrationKey: 'x',
      host: '127.0.0.1',
      port: 0,
      limitMs: 1000,
      twilio: { baseUrl: 'http://127.0.0.1:9', accountSid: 'a', authToken: 'b', from: '+1', to: '+2' },
      out: (l) => lines.push(l),
      imapUrl: `imap://monitor:wrong@127.0.0.1:${imap.server.address().port}/INBOX`,
    });
    await bad.pollInbox();
    expect(lines.at(-1)).toMatch(/^IMAP 127\.0\.0\.1: /);
    expect(parseImapUrl('imaps://me%40example.com:p%3Ass@mail.example.com/Alerts')).toEqual({
      host: 'mail.example.com',
      port: 993,
      secure: true,
      user: 'me@example.com',
      password: 'p:ss',
      mailbox: 'Alerts',
    });
    expect(parseImapUrl('imap://u:p@h').mailbox).toBe('INBOX');
    expect(() => parseImapUrl('https://u:p@h/INBOX')).toThrow(/imap:\/\/ or imaps:\/\//);
    expect(() => parseImapUrl('not a url')).toThrow(/must be a URL/);
  });
});

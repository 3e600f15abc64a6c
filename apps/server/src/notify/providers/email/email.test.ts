import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allKinds, outgoing, samplePage, sampleVerification } from '../../../../test/fakes/messages.js';
import { FakeSmtpServer } from '../../../../test/fakes/smtp.js';
import { ProviderError } from '../../types.js';
import { SilentSmtpServer } from '../../../../test/fakes/silent-smtp.js';
import { EmailProvider, SMTP_TIMEOUTS, toProviderError } from './index.js';

const smtp = new FakeSmtpServer();
let provider: EmailProvider;

beforeAll(async () => {
  const { url } = await smtp.start();
  provider = new EmailProvider({ url, from: 'Klaxon <klaxon@example.com>' });
});
afterAll(async () => {
  provider.close();
  await smtp.close();
});

describe('EmailProvider', () => {
  it('delivers a page that arrives parsed at the SMTP server', async () => {
    const page = samplePage();
    const result = await provider.send(outgoing('email', 'ada@example.com', page, 'msg-email-1'));
    expect(result.providerStatus).toBe('accepted');
    expect(result.providerMessageId).toBe('<klaxon.msg-email-1@example.com>');
    const mail = await smtp.waitFor((m) => m.to.includes('ada@example.com'));
    expect(mail.from).toBe('klaxon@example.com');
    expect(mail.headerFrom).toMatch(/^"?Klaxon"? <klaxon@example.com>$/);
    expect(mail.subject).toBe('[Klaxon] #42 CRITICAL checkout-api: DB down');
    expect(mail.text).toContain(`Acknowledge: ${page.ackUrl}`);
    expect(mail.html).toContain('href="https://klaxon.example.com/a/42?sig=abc&amp;exp=1"');
    expect(mail.messageId).toBe('<klaxon.msg-email-1@example.com>');
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    expect(mail.headers['x-klaxon-message-id']).toBe('msg-email-1');
  });

  it('renders every kind', async () => {
    for (const [i, m] of allKinds.entries()) {
      await provider.send(outgoing('email', `kind${i}@example.com`, m, `msg-kind-${i}`));
    }
    const v = await smtp.waitFor((m) => m.to.includes('kind1@example.com'));
    expect(v.subject).toBe('Your Klaxon verification code is 123456');
  });

  it('maps SMTP 5xx to a permanent and 4xx to a temporary ProviderError', async () => {
    smtp.failNext(1, 550, 'No such user');
    const permanent = await provider.send(outgoing('email', 'nobody@example.com', sampleVerification)).catch((e: unknown) => e);
    expect(permanent).toBeInstanceOf(ProviderError);
    expect((permanent as ProviderError).permanent).toBe(true);
    expect((permanent as ProviderError).providerStatus).toBe('smtp_550');

    smtp.failNext(1, 451, 'Try again later');
    const temporary = await provider.send(outgoing('email', 'busy@example.com', sampleVerification)).catch((e: unknown) => e);
    expect(temporary).toBeInstanceOf(ProviderError);
    expect((temporary as ProviderError).permanent).toBe(false);
    expect((temporary as ProviderError).providerStatus).toBe('smtp_451');

    // The next attempt goes through.
    await provider.send(outgoing('email', 'busy@example.com', sampleVerification));
    await smtp.waitFor((m) => m.to.includes('busy@example.com'));
  });

  it('maps a connection failure to a temporary ProviderError', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    const down = new EmailProvider({ url: `smtp://127.0.0.1:${port}`, from: 'klaxon@example.com', timeouts: { connection: 2000 } });
    const err = await down.send(outgoing('email', 'ada@example.com', sampleVerification)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).permanent).toBe(false);
    down.close();
  });

  it('classifies nodemailer errors', () => {
    expect(toProviderError({ responseCode: 554, message: 'x' }).permanent).toBe(true);
    expect(toProviderError({ responseCode: 503, message: 'bad sequence' }).permanent).toBe(false);
    expect(toProviderError({ responseCode: 421, message: 'x' }).permanent).toBe(false);
    expect(toProviderError({ code: 'ECONNECTION', message: 'x' }).permanent).toBe(false);
    expect(toProviderError({ code: 'ETIMEDOUT', message: 'x' }).permanent).toBe(false);
    expect(toProviderError({ code: 'EENVELOPE', message: 'No recipients defined' }).permanent).toBe(true);
  });
});

describe('EmailProvider against an SMTP server that never answers', () => {
  it('gives up when the greeting does not come, as a temporary failure (retried), not a hang', async () => {
    const silent = new SilentSmtpServer();
    const { url } = await silent.start();
    const p = new EmailProvider({ url, from: 'Klaxon <klaxon@example.com>', timeouts: { greeting: 300 } });
    try {
      const err = await p.send(outgoing('email', 'ada@example.com', samplePage(), 'msg-silent-1')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).permanent).toBe(false);
      expect((err as ProviderError).message).toMatch(/greeting/i);
      expect(silent.accepted).toBe(1);
    } finally {
      p.close();
      await silent.close();
    }
  });

  it('uses the documented defaults: 5 s to connect, 5 s for the greeting, 15 s of silence', () => {
    expect(SMTP_TIMEOUTS).toEqual({ connection: 5_000, greeting: 5_000, socket: 15_000 });
    const p = new EmailProvider({ url: 'smtp://127.0.0.1:1', from: 'k@example.com' });
    const opts = (p as unknown as { transporter: { options: Record<string, unknown> } }).transporter.options;
    expect(opts).toMatchObject({ connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 15_000 });
    p.close();
  });
});

import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSmtpServer } from './smtp.js';

const smtp = new FakeSmtpServer();
let url = '';
beforeAll(async () => {
  url = (await smtp.start()).url;
});
afterAll(() => smtp.close());

describe('FakeSmtpServer', () => {
  it('records parsed mail and wakes a waiter registered before the mail arrives', async () => {
    const waiting = smtp.waitFor((m) => m.subject === 'hello there');
    const transport = createTransport({ url });
    await transport.sendMail({ from: 'a@example.com', to: ['b@example.com', 'C@example.com'], subject: 'hello there', text: 'plain', html: '<p>rich</p>' });
    const mail = await waiting;
    expect(mail.to).toEqual(['b@example.com', 'c@example.com']);
    expect(mail.from).toBe('a@example.com');
    expect(mail.text.trim()).toBe('plain');
    expect(mail.html).toBe('<p>rich</p>');
    expect(smtp.messages).toContain(mail);
    transport.close();
  });

  it('rejects the waiter after the timeout when nothing matches', async () => {
    await expect(smtp.waitFor((m) => m.subject === 'never', 50)).rejects.toThrow(/within 50 ms/);
  });
});

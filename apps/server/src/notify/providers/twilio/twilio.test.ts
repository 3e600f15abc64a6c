import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTwilio } from '../../../../test/fakes/twilio.js';
import { outgoing, samplePage, sampleVerification } from '../../../../test/fakes/messages.js';
import { ProviderError } from '../../types.js';
import { createTwilioProviders, TwilioClient, TwilioSmsProvider } from './index.js';

const twilio = new FakeTwilio({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'secret-token' });
let providers: ReturnType<typeof createTwilioProviders>;
let baseUrl = '';

beforeAll(async () => {
  const { url } = await twilio.start();
  baseUrl = url;
  providers = createTwilioProviders({
    baseUrl: url,
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    sms: { from: '+15005550006', statusCallback: (id) => `https://klaxon.example.com/hooks/twilio/status?m=${id}` },
    voice: { from: '+15005550006', voiceUrl: (id) => `https://klaxon.example.com/hooks/twilio/voice?m=${id}` },
  });
});
afterAll(() => twilio.close());
beforeEach(() => {
  twilio.duplicates = 0;
});

describe('Twilio SMS provider', () => {
  it('creates a Message with the right form fields and Basic auth', async () => {
    const result = await providers.sms.send(outgoing('sms', '+14155550100', samplePage(), 'msg-sms-1'));
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result.providerStatus).toBe('queued');
    const m = await twilio.waitForMessage((x) => x.sid === result.providerMessageId);
    expect(m.form).toEqual({
      To: '+14155550100',
      From: '+15005550006',
      Body: 'Klaxon #42 CRITICAL checkout-api: DB down. Reply 42A to ack, 42R to resolve',
      StatusCallback: 'https://klaxon.example.com/hooks/twilio/status?m=msg-sms-1',
    });
    expect(m.idempotencyKey).toBe('msg-sms-1');
    const req = twilio.requests.at(-1);
    expect(req).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`, status: 201 });
  });

  it('dedups a resend with the same Idempotency-Key in the fake', async () => {
    const before = twilio.messages.length;
    const a = await providers.sms.send(outgoing('sms', '+14155550101', sampleVerification, 'msg-dup'));
    const b = await providers.sms.send(outgoing('sms', '+14155550101', sampleVerification, 'msg-dup'));
    expect(b.providerMessageId).toBe(a.providerMessageId);
    expect(twilio.messages.length).toBe(before + 1);
    expect(twilio.duplicates).toBe(1);
  });

  it('maps 500 to a temporary and 400 to a permanent ProviderError, and a retry after 500 succeeds', async () => {
    twilio.failNext(1, 500);
    const e500 = await providers.sms.send(outgoing('sms', '+14155550102', sampleVerification, 'msg-retry')).catch((e: unknown) => e);
    expect(e500).toBeInstanceOf(ProviderError);
    expect((e500 as ProviderError).permanent).toBe(false);
    expect((e500 as ProviderError).providerStatus).toBe('twilio_20500');
    const ok = await providers.sms.send(outgoing('sms', '+14155550102', sampleVerification, 'msg-retry'));
    expect(ok.providerMessageId).toMatch(/^SM/);

    twilio.failNext(1, 400);
    const e400 = await providers.sms.send(outgoing('sms', '+14155550103', sampleVerification)).catch((e: unknown) => e);
    expect((e400 as ProviderError).permanent).toBe(true);
    expect((e400 as ProviderError).message).toContain('21211');

    twilio.failNext(1, 429);
    const e429 = await providers.sms.send(outgoing('sms', '+14155550104', sampleVerification)).catch((e: unknown) => e);
    expect((e429 as ProviderError).permanent).toBe(false);
  });

  it('reports an invalid number as permanent (validated by the fake)', async () => {
    const err = await providers.sms.send(outgoing('sms', 'not-a-number', sampleVerification)).catch((e: unknown) => e);
    expect((err as ProviderError).permanent).toBe(true);
    expect((err as ProviderError).providerStatus).toBe('twilio_21211');
  });

  it('gets a permanent 401 with wrong credentials', async () => {
    const bad = new TwilioSmsProvider(new TwilioClient({ baseUrl, accountSid: twilio.accountSid, authToken: 'wrong' }), {
      from: '+15005550006',
    });
    const err = await bad.send(outgoing('sms', '+14155550100', sampleVerification)).catch((e: unknown) => e);
    expect((err as ProviderError).permanent).toBe(true);
    expect((err as ProviderError).providerStatus).toBe('twilio_20003');
  });

  it('maps network errors to temporary', async () => {
    const down = new TwilioSmsProvider(new TwilioClient({ baseUrl: 'http://127.0.0.1:1', accountSid: 'AC1', authToken: 'x' }), { from: '+15005550006' });
    const err = await down.send(outgoing('sms', '+14155550100', sampleVerification)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).permanent).toBe(false);
  });
});

describe('Twilio voice provider', () => {
  it('creates a Call pointing at the TwiML URL for the message', async () => {
    const result = await providers.voice.send(outgoing('voice', '+14155550199', samplePage(), 'msg-call-1'));
    expect(result.providerMessageId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(result.providerStatus).toBe('queued');
    const call = await twilio.waitForCall((c) => c.sid === result.providerMessageId);
    expect(call.form).toEqual({
      To: '+14155550199',
      From: '+15005550006',
      Url: 'https://klaxon.example.com/hooks/twilio/voice?m=msg-call-1',
      Method: 'POST',
    });
    expect(call.idempotencyKey).toBe('msg-call-1');
  });

  it('maps 503 to temporary', async () => {
    twilio.failNext(1, 503);
    const err = await providers.voice.send(outgoing('voice', '+14155550199', samplePage())).catch((e: unknown) => e);
    expect((err as ProviderError).permanent).toBe(false);
  });
});

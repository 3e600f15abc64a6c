import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.js';

const TWILIO = { KLAXON_TWILIO_ACCOUNT_SID: 'AC1', KLAXON_TWILIO_AUTH_TOKEN: 't', KLAXON_TWILIO_FROM: '+15005550006' };
const VONAGE = { KLAXON_VONAGE_API_KEY: 'k', KLAXON_VONAGE_API_SECRET: 's', KLAXON_VONAGE_SIGNATURE_SECRET: 'sig', KLAXON_VONAGE_FROM: '447700900001' };
const telnyxKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');

describe('SMS and voice provider settings', () => {
  it('reads several providers, the default order and the routes', () => {
    const c = configFromEnv({
      ...TWILIO,
      ...VONAGE,
      KLAXON_TELNYX_API_KEY: 'KEY',
      KLAXON_TELNYX_PUBLIC_KEY: telnyxKey,
      KLAXON_TELNYX_FROM: '+353851234000',
      KLAXON_SMS_PROVIDERS: 'vonage, twilio',
      KLAXON_SMS_ROUTES: '[{"prefix":"+44","providers":["vonage","twilio"]},{"prefix":"+353","providers":["telnyx"]}]',
      KLAXON_SMS_PROVIDER_TIMEOUT_MS: '2000',
    });
    expect(c.vonage).toMatchObject({ apiKey: 'k', fromNumber: '447700900001', baseUrl: 'https://api.nexmo.com' });
    expect(c.telnyx).toMatchObject({ fromNumber: '+353851234000', baseUrl: 'https://api.telnyx.com' });
    expect(c.smsProviders).toEqual(['vonage', 'twilio']);
    expect(c.smsRoutes).toEqual([
      { prefix: '+44', providers: ['vonage', 'twilio'] },
      { prefix: '+353', providers: ['telnyx'] },
    ]);
    expect(c.smsProviderTimeoutMs).toBe(2000);
  });

  it('says what is wrong with a partial or bad setting', () => {
    const err = (env: NodeJS.ProcessEnv) => {
      try {
        configFromEnv(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({ KLAXON_VONAGE_API_KEY: 'k' })).toMatch(/Vonage is partly configured: also set KLAXON_VONAGE_API_SECRET/);
    expect(err({ ...VONAGE, KLAXON_VONAGE_APPLICATION_ID: 'app' })).toMatch(/both KLAXON_VONAGE_APPLICATION_ID and KLAXON_VONAGE_PRIVATE_KEY/);
    expect(err({ KLAXON_PLIVO_AUTH_ID: 'MA' })).toMatch(/Plivo is partly configured/);
    expect(err({ KLAXON_TELNYX_API_KEY: 'K', KLAXON_TELNYX_PUBLIC_KEY: 'bm9wZQ==', KLAXON_TELNYX_FROM: '+1' })).toMatch(/KLAXON_TELNYX_PUBLIC_KEY must be the base64 Ed25519 public key/);
    expect(err({ ...TWILIO, KLAXON_SMS_PROVIDERS: 'vonage' })).toMatch(/KLAXON_SMS_PROVIDERS: vonage not configured \(configured: twilio\)/);
    expect(err({ ...TWILIO, KLAXON_SMS_ROUTES: '[{"prefix":"+44","providers":["vonage"]}]' })).toMatch(/KLAXON_SMS_ROUTES: route 1: vonage is not a configured provider/);
    expect(err({ ...TWILIO, KLAXON_SMS_ROUTES: '[{"prefix":"+4412","providers":["twilio"]}]' })).toMatch(/KLAXON_SMS_ROUTES: route 1: prefix must be a country calling code/);
    expect(err({ KLAXON_SMS_PROVIDER_TIMEOUT_MS: '5' })).toMatch(/KLAXON_SMS_PROVIDER_TIMEOUT_MS must be a whole number from 100 to 60000/);
  });
});

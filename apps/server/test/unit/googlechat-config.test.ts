import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.js';

describe('Google Chat settings from the environment', () => {
  it('KLAXON_GOOGLECHAT_AUDIENCE (a project number) enables it, with Google defaults; bad values are refused', () => {
    expect(configFromEnv({}).googlechat).toBeUndefined();
    expect(configFromEnv({ KLAXON_GOOGLECHAT_AUDIENCE: '1234567890' }).googlechat).toEqual({
      audience: '1234567890',
      jwksUrl: 'https://www.googleapis.com/service_accounts/v1/jwk/chat@system.gserviceaccount.com',
      webhookBaseUrl: 'https://chat.googleapis.com',
    });
    expect(() => configFromEnv({ KLAXON_GOOGLECHAT_AUDIENCE: 'my-project' })).toThrow(/project number/);
    expect(() => configFromEnv({ KLAXON_GOOGLECHAT_AUDIENCE: '1', KLAXON_GOOGLECHAT_JWKS_URL: 'keys.example' })).toThrow(ConfigError);
    expect(configFromEnv({ KLAXON_GOOGLECHAT_AUDIENCE: '1', KLAXON_GOOGLECHAT_WEBHOOK_BASE_URL: 'http://127.0.0.1:9' }).googlechat?.webhookBaseUrl).toBe('http://127.0.0.1:9');
  });
});

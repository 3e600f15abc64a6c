import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, generateKeyPair } from 'jose';
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

  it('KLAXON_GOOGLECHAT_SERVICE_ACCOUNT (a key file or its JSON) turns on the Chat API; its settings are checked', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const key = {
      type: 'service_account',
      client_email: 'klaxon@p.iam.gserviceaccount.com',
      private_key: await exportPKCS8(privateKey),
      private_key_id: 'k1',
      token_uri: 'https://oauth2.googleapis.com/token',
    };
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-gc-'));
    writeFileSync(join(dir, 'key.json'), JSON.stringify(key));
    const base = { KLAXON_GOOGLECHAT_AUDIENCE: '1234567890' };
    const serviceAccount = { clientEmail: key.client_email, privateKey: key.private_key, privateKeyId: 'k1', tokenUri: key.token_uri };
    expect(configFromEnv({ ...base, KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: 'key.json' }, dir).googlechat?.api).toEqual({ serviceAccount, baseUrl: 'https://chat.googleapis.com' });
    expect(
      configFromEnv({
        ...base,
        KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: JSON.stringify(key),
        KLAXON_GOOGLECHAT_API_BASE_URL: 'http://127.0.0.1:9',
        KLAXON_GOOGLECHAT_TOKEN_URL: 'http://127.0.0.1:9/token',
        KLAXON_GOOGLECHAT_WAR_ROOM_SPACE: 'spaces/AAAA',
      }).googlechat?.api,
    ).toEqual({ serviceAccount, baseUrl: 'http://127.0.0.1:9', tokenUrl: 'http://127.0.0.1:9/token', warRoomSpace: 'spaces/AAAA' });
    expect(() => configFromEnv({ ...base, KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: 'missing.json' }, dir)).toThrow(/cannot read .*missing\.json \(ENOENT\)/);
    expect(() => configFromEnv({ ...base, KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: '{"client_email":"a@b"}' })).toThrow(/private_key/);
    expect(() => configFromEnv({ ...base, KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: JSON.stringify(key), KLAXON_GOOGLECHAT_WAR_ROOM_SPACE: 'Incidents' })).toThrow(/spaces\/<id>/);
    expect(() => configFromEnv({ ...base, KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: JSON.stringify(key), KLAXON_GOOGLECHAT_TOKEN_URL: 'token' })).toThrow(ConfigError);
    expect(() => configFromEnv({ KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: JSON.stringify(key) })).toThrow(/KLAXON_GOOGLECHAT_AUDIENCE/);
    expect(() => configFromEnv({ ...base, KLAXON_GOOGLECHAT_WAR_ROOM_SPACE: 'spaces/AAAA' })).toThrow(/also needs KLAXON_GOOGLECHAT_SERVICE_ACCOUNT/);
  });
});

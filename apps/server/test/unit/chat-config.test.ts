import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.js';

describe('chat platform settings from the environment', () => {
  it('Mattermost needs its URL and bot token together; the tokens and team are optional', () => {
    expect(() => configFromEnv({ KLAXON_MATTERMOST_URL: 'https://chat.example.com' })).toThrow(/also set KLAXON_MATTERMOST_BOT_TOKEN/);
    expect(() => configFromEnv({ KLAXON_MATTERMOST_URL: 'chat.example.com', KLAXON_MATTERMOST_BOT_TOKEN: 't' })).toThrow(ConfigError);
    expect(configFromEnv({ KLAXON_MATTERMOST_URL: 'https://chat.example.com', KLAXON_MATTERMOST_BOT_TOKEN: 't', KLAXON_MATTERMOST_COMMAND_TOKEN: 'c' }).mattermost).toEqual({
      baseUrl: 'https://chat.example.com',
      botToken: 't',
      commandToken: 'c',
    });
  });

  it('Discord needs its bot token and a 64-hex-digit public key; the base URL defaults to v10', () => {
    expect(() => configFromEnv({ KLAXON_DISCORD_BOT_TOKEN: 't' })).toThrow(/also set KLAXON_DISCORD_PUBLIC_KEY/);
    expect(() => configFromEnv({ KLAXON_DISCORD_BOT_TOKEN: 't', KLAXON_DISCORD_PUBLIC_KEY: 'abc' })).toThrow(/64 hex digits/);
    expect(configFromEnv({ KLAXON_DISCORD_BOT_TOKEN: 't', KLAXON_DISCORD_PUBLIC_KEY: 'a'.repeat(64) }).discord).toEqual({
      baseUrl: 'https://discord.com/api/v10',
      botToken: 't',
      publicKey: 'a'.repeat(64),
    });
  });

  it('Matrix needs its homeserver URL and access token', () => {
    expect(() => configFromEnv({ KLAXON_MATRIX_ACCESS_TOKEN: 't' })).toThrow(/also set KLAXON_MATRIX_HOMESERVER_URL/);
    expect(configFromEnv({ KLAXON_MATRIX_HOMESERVER_URL: 'https://matrix.example.org', KLAXON_MATRIX_ACCESS_TOKEN: 't' }).matrix).toEqual({
      homeserverUrl: 'https://matrix.example.org',
      accessToken: 't',
    });
    expect(configFromEnv({}).matrix).toBeUndefined();
  });

  it("the Teams bot needs its app id and password together; the metadata and token URLs default to Microsoft's", () => {
    expect(() => configFromEnv({ KLAXON_TEAMS_APP_ID: 'a' })).toThrow(/also set KLAXON_TEAMS_APP_PASSWORD/);
    expect(configFromEnv({ KLAXON_TEAMS_APP_ID: 'a', KLAXON_TEAMS_APP_PASSWORD: 'p' }).teams).toEqual({
      appId: 'a',
      appPassword: 'p',
      openIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
      tokenUrl: 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token',
    });
    expect(configFromEnv({ KLAXON_TEAMS_APP_ID: 'a', KLAXON_TEAMS_APP_PASSWORD: 'p', KLAXON_TEAMS_OPENID_METADATA_URL: 'http://127.0.0.1:9/m' }).teams?.openIdMetadataUrl).toBe('http://127.0.0.1:9/m');
    expect(configFromEnv({}).teams).toBeUndefined();
  });

  it('the Teams war-room channel is a channel conversation id', () => {
    const env = { KLAXON_TEAMS_APP_ID: 'a', KLAXON_TEAMS_APP_PASSWORD: 'p' };
    expect(configFromEnv({ ...env, KLAXON_TEAMS_WAR_ROOM_CHANNEL_ID: '19:abc@thread.tacv2' }).teams?.warRoomChannelId).toBe('19:abc@thread.tacv2');
    expect(() => configFromEnv({ ...env, KLAXON_TEAMS_WAR_ROOM_CHANNEL_ID: 'general' })).toThrow(/KLAXON_TEAMS_WAR_ROOM_CHANNEL_ID/);
  });
});

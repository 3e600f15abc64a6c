import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.js';
import { must } from '../../src/lib/must.js';

describe('configuration from the environment', () => {
  it('prepared statements on PostgreSQL are on unless switched off, and a bad value says so', () => {
    expect(configFromEnv({}).pgPreparedStatements).toBe(true);
    expect(configFromEnv({ KLAXON_PG_PREPARED_STATEMENTS: 'false' }).pgPreparedStatements).toBe(false);
    expect(configFromEnv({ KLAXON_PG_PREPARED_STATEMENTS: 'off' }).pgPreparedStatements).toBe(false);
    expect(configFromEnv({ KLAXON_PG_PREPARED_STATEMENTS: '1' }).pgPreparedStatements).toBe(true);
    expect(() => configFromEnv({ KLAXON_PG_PREPARED_STATEMENTS: 'sometimes' })).toThrow(new ConfigError('KLAXON_PG_PREPARED_STATEMENTS must be true or false (got "sometimes")'));
  });

  it('a number out of range names the variable and the range', () => {
    expect(() => configFromEnv({ KLAXON_ENGINE_INTERVAL_MS: '10' })).toThrow('KLAXON_ENGINE_INTERVAL_MS must be a whole number from 50 to 60000 (got "10")');
  });

  it('KLAXON_EGRESS_ALLOW: none by default; CIDRs, addresses and names; a bad entry is named', () => {
    expect(configFromEnv({}).egressAllow).toBeUndefined();
    const allow = must(configFromEnv({ KLAXON_EGRESS_ALLOW: '10.0.0.0/8, 127.0.0.1 hooks.corp.example' }).egressAllow, 'configFromEnv().egressAllow');
    expect(allow.cidrs.map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(['10.0.0.0/8', '127.0.0.1/32']);
    expect(allow.hosts).toEqual(['hooks.corp.example']);
    expect(() => configFromEnv({ KLAXON_EGRESS_ALLOW: '10.0.0.0/40' })).toThrow(ConfigError);
  });

  it('KLAXON_SECRET_KEY: 32 bytes as hex or base64, anything else refused', () => {
    const hex = 'ab'.repeat(32);
    expect(must(configFromEnv({ KLAXON_SECRET_KEY: hex }).secretKey, 'configFromEnv().secretKey').toString('hex')).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(must(configFromEnv({ KLAXON_SECRET_KEY: b64 }).secretKey, 'configFromEnv().secretKey').equals(Buffer.alloc(32, 7))).toBe(true);
    expect(() => configFromEnv({ KLAXON_SECRET_KEY: 'short' })).toThrow(/KLAXON_SECRET_KEY must be 32 random bytes/);
    expect(() => configFromEnv({ KLAXON_SECRET_KEY: Buffer.alloc(16).toString('base64') })).toThrow(ConfigError);
  });
});

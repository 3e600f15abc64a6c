import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.js';

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
});

import { describe, expect, it } from 'vitest';
import { configFromEnv, ConfigError } from '../../src/app/config.js';
import { DEFAULT_PAGE_LIMITS } from '../../src/notify/limits.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe('KLAXON_PAGE_RATE_LIMITS and KLAXON_PAGE_BUNDLING', () => {
  it('is read from the environment; a bad value stops the start with the variable named', () => {
    expect(must(configFromEnv({ KLAXON_PAGE_RATE_LIMITS: 'sms=1/1m' }).pageLimits, 'configFromEnv().pageLimits').sms).toEqual([{ count: 1, windowMs: MIN }]);
    expect(configFromEnv({}).pageLimits).toEqual(DEFAULT_PAGE_LIMITS);
    expect(configFromEnv({}).pageBundling).toBe(true);
    expect(configFromEnv({ KLAXON_PAGE_BUNDLING: 'false' }).pageBundling).toBe(false);
    expect(() => configFromEnv({ KLAXON_PAGE_RATE_LIMITS: 'sms=lots' })).toThrow(ConfigError);
    expect(() => configFromEnv({ KLAXON_PAGE_RATE_LIMITS: 'sms=lots' })).toThrow(/KLAXON_PAGE_RATE_LIMITS: sms: "lots"/);
  });
});

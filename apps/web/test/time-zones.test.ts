import { describe, expect, it } from 'vitest';
import { timeZones } from '../src/lib/time.ts';

describe('time zone choices', () => {
  it('offer UTC first, exactly once, with the IANA zones', () => {
    const zones = timeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones.filter((z) => z === 'UTC')).toHaveLength(1);
    expect(zones).toContain('Europe/Berlin');
  });
});

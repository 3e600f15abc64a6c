import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../notify/types.js';
import { channelStatus } from './checklist.js';

describe('channelStatus', () => {
  it('lists each paging channel once, configured exactly when a provider is registered, with setting names only', () => {
    fc.assert(
      fc.property(fc.subarray([...CHANNELS]), (registered) => {
        const out = channelStatus(registered);
        expect(out.map((c) => c.channel)).toEqual(['email', 'sms', 'voice', 'slack', 'push', 'mattermost', 'discord', 'matrix', 'ntfy', 'pushover', 'telegram', 'whatsapp']);
        for (const c of out) {
          expect(c.configured).toBe(registered.includes(c.channel));
          expect(c.settings.length).toBeGreaterThan(0);
          for (const s of c.settings) expect(s).toMatch(/^KLAXON_[A-Z_]+$/);
        }
      }),
    );
  });
});

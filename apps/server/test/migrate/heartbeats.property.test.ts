/** fast-check on the heartbeat mappings of the importers: any interval either maps exactly or is refused, never an exception. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heartbeatMinutes } from '../../src/migrate/opsgenie/index.js';
import { must } from '../../src/lib/must.js';

describe('Opsgenie heartbeat interval -> Klaxon minutes', () => {
  it('minutes, hours and days map to the same span; anything else is undefined; never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -10, max: 1_000_000 }), fc.double(), fc.constant(undefined), fc.string()),
        fc.oneof(fc.constantFrom('minutes', 'hours', 'days', 'weeks', 'MINUTES', ''), fc.string(), fc.constant(undefined)),
        (interval, unit) => {
          const m = heartbeatMinutes({ interval: interval as number, intervalUnit: unit as string });
          const per = unit === 'minutes' ? 1 : unit === 'hours' ? 60 : unit === 'days' ? 1440 : undefined;
          const ok = per !== undefined && typeof interval === 'number' && Number.isInteger(interval) && interval >= 1 && interval * per <= 525_600;
          expect(m).toBe(ok ? (interval as number) * must(per, 'per') : undefined);
        },
      ),
    );
  });
});

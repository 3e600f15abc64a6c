import { Type } from '@sinclair/typebox';
import type { HttpDeps } from '../deps.js';
import type { App } from '../deps.js';

/**
 * Test hooks, registered only when KLAXON_TEST_FAKE_CLOCK is set: end-to-end tests that run Klaxon
 * as a separate process (to kill it) move its clock and run engine cycles through these.
 */
export async function testRoutes(app: App, test: NonNullable<HttpDeps['test']>): Promise<void> {
  app.post('/test/clock', { schema: { hide: true, body: Type.Object({ advanceMs: Type.Integer({ minimum: 0 }) }) } }, async (req) => {
    test.clock.advance(req.body.advanceMs);
    return { now: new Date(test.clock.now()).toISOString() };
  });
  app.post('/test/cycle', { schema: { hide: true } }, async () => {
    await test.cycle();
    return { now: new Date(test.clock.now()).toISOString() };
  });
}

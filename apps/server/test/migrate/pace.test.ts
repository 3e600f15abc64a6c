/**
 * How fast `klaxon import` and `klaxon compare` ask the source, and how often they retry: the real
 * CLI against the fake Opsgenie API. By default requests start at least 100 ms apart (Opsgenie's
 * limit for one key); `--max-rate N` sets N a second; `--max-rate` and `--max-tries` out of range are
 * refused before anything is read. (The other migration suites pass `--max-rate 1000`: the fakes
 * have no rate limit.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpsgenie } from '../fakes/opsgenie/server.js';
import { must } from '../../src/lib/must.js';
import { runKlaxon } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'klaxon-pace-'));

describe('klaxon import --max-rate and --max-tries', () => {
  let og: FakeOpsgenie;
  beforeAll(async () => {
    og = new FakeOpsgenie();
    await og.start();
  });
  afterAll(async () => {
    await og.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const importing = (...flags: string[]) => runKlaxon(['import', 'opsgenie', '--api-key', og.key, '--url', og.url, ...flags], { KLAXON_DATABASE_URL: join(dir, 'klaxon.db') });

  it.each([
    ['the default', [], 100],
    ['--max-rate 4', ['--max-rate', '4'], 250],
  ])('%s: requests start at least 1/rate seconds apart', async (_name, flags, gapMs) => {
    og.reset();
    // The escalations list answers 404, so the import stops after the users and teams: about ten requests.
    og.fail(/^\/v2\/escalations$/, 404);
    const from = og.requests.length;
    const r = await importing(...flags);
    og.reset();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/escalations: not found/);
    // The first request also opens the connection (it arrives late by that much), so the span is
    // taken from the second: the client starts each request gapMs after the one before at the
    // earliest, and what arrives differs from what was sent by the loopback's jitter, for which one
    // interval of slack is left. (CI once saw 737 ms over 9 requests against 750 with 50 ms of slack
    // counted from the first.) Unpaced, or at the default pace for --max-rate 4, the span is far shorter.
    const at = og.requests.slice(from + 1).map((q) => q.at);
    expect(at.length).toBeGreaterThanOrEqual(5);
    expect(must(at.at(-1), 'the last request') - must(at[0], 'the second request')).toBeGreaterThanOrEqual((at.length - 2) * gapMs);
  });

  it.each([
    [['--max-rate', '0'], /--max-rate must be a number of requests a second above 0 and at most 1000/],
    [['--max-rate', 'fast'], /--max-rate must be/],
    [['--max-rate', '5000'], /--max-rate must be/],
    [['--max-tries', '0'], /--max-tries must be a whole number from 1 to 20/],
    [['--max-tries', '2.5'], /--max-tries must be/],
  ])('%j is refused with exit 2 before anything is read', async (flags, message) => {
    const from = og.requests.length;
    const r = await importing(...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('Nothing was applied.');
    expect(og.requests.length).toBe(from);
  });

  it('compare takes the same flags', async () => {
    const from = og.requests.length;
    const r = await runKlaxon(['compare', 'opsgenie', '--api-key', og.key, '--url', og.url, '--max-tries', '21'], { KLAXON_DATABASE_URL: join(dir, 'klaxon.db') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-tries must be a whole number from 1 to 20/);
    expect(og.requests.length).toBe(from);
  });
});

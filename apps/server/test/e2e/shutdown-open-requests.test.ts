/**
 * Shutdown does not wait for ever on a client: a request whose body never finishes arriving keeps
 * its connection busy, and the HTTP server's close waited for it (until Node's 5-minute request
 * timeout). Now requests in flight get KLAXON_SHUTDOWN_GRACE_MS, then their connections are cut.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestKlaxon } from '../harness.js';

describe('shutdown with a request still arriving (sqlite)', () => {
  it('cuts the connection after the grace period and stops', async () => {
    const t = await startTestKlaxon('sqlite', { shutdownGraceMs: 200 });
    const { port } = new URL(t.url);
    const arrived = new Promise<void>((r) => t.k.http.server.once('request', () => r()));
    const socket = connect(Number(port), '127.0.0.1');
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
    // Headers and the first byte of a 1,000-byte body: the request is in flight, and stays so.
    socket.write(`POST /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    await arrived;
    const stopping = t.k.stop();
    expect(t.k.stopping()).not.toBeNull();
    await stopping;
    await closed; // the server cut it
    expect(t.k.stopping()).toBeNull();
    expect(socket.destroyed).toBe(true);
    await t.stop(); // the fakes and the database (Klaxon itself is stopped already)
  });
});

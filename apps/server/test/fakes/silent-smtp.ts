/**
 * An SMTP server that accepts TCP connections and never says anything: no 220 greeting (RFC 5321
 * §4.3.1 has the server speak first), no replies. What a wedged mail relay or a firewall that
 * accepts and drops looks like from the client. `close()` drops every connection it holds.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export class SilentSmtpServer {
  private readonly sockets = new Set<Socket>();
  private readonly waiters: { n: number; resolve: () => void }[] = [];
  private readonly server = createServer((s) => {
    this.sockets.add(s);
    this.accepted++;
    s.on('error', () => {});
    s.on('close', () => this.sockets.delete(s));
    for (const w of this.waiters.filter((w) => this.accepted >= w.n)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  /** Connections accepted so far. */
  accepted = 0;

  /** Listens on 127.0.0.1 (a free port); returns the smtp:// URL. */
  async start(): Promise<{ url: string }> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return { url: `smtp://127.0.0.1:${(this.server.address() as AddressInfo).port}` };
  }

  /** Resolves once `n` connections have been accepted in all. */
  waitForConnections(n: number): Promise<void> {
    if (this.accepted >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Connections open now. */
  get open(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

import pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * Fan-out across instances through PostgreSQL LISTEN/NOTIFY: `publish` sends a payload to every
 * instance listening on `channel` (this one included); `onMessage` receives them. One dedicated
 * connection listens and reconnects with backoff if it drops. Payloads must stay under 8000 bytes
 * and hold no newline (JSON.stringify output never does): the payloads published in one turn of
 * the event loop travel together, joined by newlines, in as few NOTIFYs as fit — a storm that opens
 * a hundred incidents in one commit sends a handful of NOTIFYs, not three hundred.
 */
export class PgFanout {
  private client: pg.Client | null = null;
  private closed = false;
  private retryMs = 500;
  private pending: string[] = [];
  /** NOTIFYs go one after another, so events arrive in the order they were published. */
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly channel: string,
    /** Sends one NOTIFY through the application's pool (e.g. `select pg_notify($1, $2)`). */
    private readonly notify: (channel: string, payload: string) => Promise<unknown>,
    private readonly onMessage: (payload: string) => void,
    private readonly log: Logger,
  ) {}

  /** Connects the listening connection. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== undefined) for (const p of n.payload.split('\n')) if (p) this.onMessage(p);
    });
    client.on('error', (err) => {
      this.log.warn({ err }, 'live fan-out connection lost; reconnecting');
      this.reconnect(client);
    });
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
    this.retryMs = 500;
  }

  private reconnect(old: pg.Client): void {
    if (this.closed || this.client !== old) return;
    this.client = null;
    void old.end().catch(() => {});
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    setTimeout(() => {
      if (!this.closed) this.start().catch((err: unknown) => this.log.warn({ err }, 'live fan-out reconnect failed'));
    }, wait).unref();
  }

  /** Sends a payload to every listening instance (errors are logged, never thrown: live updates are best effort). */
  publish(payload: string): void {
    this.pending.push(payload);
    if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    let chunk = '';
    const send = (text: string) => {
      this.sending = this.sending.then(() => this.notify(this.channel, text)).catch((err: unknown) => this.log.warn({ err }, 'live fan-out publish failed'));
    };
    for (const p of all) {
      if (chunk && chunk.length + 1 + p.length > 7900) {
        send(chunk);
        chunk = '';
      }
      chunk = chunk ? `${chunk}\n${p}` : p;
    }
    if (chunk) send(chunk);
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}

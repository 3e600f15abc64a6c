/** Plumbing shared by the HTTP fakes: listening on 127.0.0.1:0, reading bodies, answering JSON, waiting for records. */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 with a random port; resolves with the base URL (no trailing slash). */
export async function listenLocal(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server, dropping keep-alive and in-flight connections. */
export async function closeServer(server: Server | null): Promise<void> {
  if (!server || !server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/** Reads a request body as a Buffer. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers JSON with the given status. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Form-decodes a body (last value wins for repeated names). */
export function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

/**
 * A list of records plus an event per push, so tests can await a record instead of sleeping.
 * `waitFor` resolves with the first existing or future record matching the predicate.
 */
export class RecordLog<T> {
  /** Records in arrival order. */
  readonly items: T[] = [];
  private readonly events = new EventEmitter();

  constructor(private readonly label: string) {
    this.events.setMaxListeners(100);
  }

  /** Appends a record and wakes waiters. */
  push(item: T): void {
    this.items.push(item);
    this.events.emit('item', item);
  }

  /** Resolves with the first matching record; rejects after `timeoutMs`. */
  waitFor(predicate: (item: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    const found = this.items.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onItem = (item: T) => {
        if (!predicate(item)) return;
        clearTimeout(timer);
        this.events.off('item', onItem);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.events.off('item', onItem);
        reject(new Error(`${this.label}: nothing matching within ${timeoutMs} ms (${this.items.length} recorded)`));
      }, timeoutMs);
      this.events.on('item', onItem);
    });
  }
}

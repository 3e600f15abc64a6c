/**
 * The live hub: one WebSocket per browser, every live event sent to every signed-in socket as JSON
 * `{type, incidentId?, data?}`. Each event is serialized once. A heartbeat pings every socket every
 * 25 s and drops those that did not answer the previous ping (half-open TCP, sleeping phones). A
 * socket that cannot keep up (send buffer over 4 MiB) is closed with 1013 so the browser reconnects
 * and reloads state, instead of the server buffering without bound.
 */
import type { WebSocket } from 'ws';
import { can, type Actor } from '../../auth/actor.js';
import type { LiveEvent } from '../../context.js';
import type { Logger } from '../../lib/logger.js';
import type { LiveSource } from './source.js';

/** Default heartbeat interval, ms. */
export const LIVE_HEARTBEAT_MS = 25_000;
/** Close code for a socket that fell too far behind ("try again later"). */
export const LIVE_CLOSE_TOO_SLOW = 1013;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Client {
  socket: WebSocket;
  actor: Actor;
  alive: boolean;
}

/** Options of {@link LiveHub}. */
export interface LiveHubOptions {
  heartbeatMs?: number;
}

/** Fans live events out to connected WebSockets of this instance. */
export class LiveHub {
  private readonly clients = new Set<Client>();
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;
  private readonly heartbeatMs: number;

  /** Subscribes to `source` and starts the heartbeat. */
  constructor(
    source: LiveSource,
    private readonly log: Logger,
    opts: LiveHubOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? LIVE_HEARTBEAT_MS;
    this.unsubscribe = source.subscribe((e) => this.broadcast(e));
    this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** How many sockets are connected. */
  get size(): number {
    return this.clients.size;
  }

  /** Adds an authenticated socket; it receives `{type:'hello'}` and then every event until it closes. */
  add(socket: WebSocket, actor: Actor): void {
    const client: Client = { socket, actor, alive: true };
    this.clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (raw) => {
      client.alive = true;
      // An application-level ping, for browsers, which cannot see protocol pings.
      const text = String(raw);
      if (text === 'ping' || text === '{"type":"ping"}') this.send(client, '{"type":"pong"}');
    });
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    this.send(client, JSON.stringify({ type: 'hello', data: { userId: actor.type === 'system' ? null : actor.id, heartbeatMs: this.heartbeatMs } }));
  }

  /** Sends one event to every socket whose actor may read it. */
  broadcast(event: LiveEvent): void {
    if (!this.clients.size) return;
    const text = JSON.stringify({ type: event.type, ...(event.incidentId !== undefined && { incidentId: event.incidentId }), ...(event.data !== undefined && { data: event.data }) });
    for (const c of this.clients) {
      if (can(c.actor, 'read')) this.send(c, text);
    }
  }

  /** Stops listening and closes every socket (server shutdown). */
  close(): void {
    this.unsubscribe();
    clearInterval(this.timer);
    for (const c of this.clients) c.socket.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private send(c: Client, text: string): void {
    if (c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn({ bufferedAmount: c.socket.bufferedAmount }, 'live: closing a socket that is too far behind');
      this.clients.delete(c);
      c.socket.close(LIVE_CLOSE_TOO_SLOW, 'too far behind: reconnect');
      return;
    }
    c.socket.send(text);
  }

  private heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        this.clients.delete(c);
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.socket.ping();
      } catch {
        this.clients.delete(c);
      }
    }
  }
}

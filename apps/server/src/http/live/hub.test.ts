import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { Actor } from '../../auth/actor.js';
import type { LiveEvent } from '../../context.js';
import { createLogger } from '../../lib/logger.js';
import { LIVE_CLOSE_TOO_SLOW, LiveHub } from './hub.js';
import { emitterLiveSource } from './source.js';
import { must } from '../../lib/must.js';

/** Just enough of a ws WebSocket for the hub. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  pings = 0;
  terminated = false;
  closedWith: number | null = null;
  send(text: string) {
    this.sent.push(text);
  }
  ping() {
    this.pings++;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = 3;
    this.emit('close');
  }
}

const user: Actor = { type: 'user', id: 'u1', name: 'Ada', role: 'viewer' };
const asWs = (s: FakeSocket) => s as unknown as WebSocket;

describe('LiveHub', () => {
  let emitter: EventEmitter;
  let hub: LiveHub;
  beforeEach(() => {
    vi.useFakeTimers();
    emitter = new EventEmitter();
    hub = new LiveHub(emitterLiveSource(emitter), createLogger('silent'), { heartbeatMs: 1000 });
  });
  afterEach(() => {
    hub.close();
    vi.useRealTimers();
  });

  it('greets, then relays every published event as {type, incidentId?, data?}', () => {
    const s = new FakeSocket();
    hub.add(asWs(s), user);
    expect(JSON.parse(must(s.sent[0], 's.sent[0]'))).toMatchObject({ type: 'hello', data: { userId: 'u1' } });
    emitter.emit('event', { type: 'incident', incidentId: 'i1', data: { status: 'triggered' } } satisfies LiveEvent);
    emitter.emit('event', { type: 'notification' } satisfies LiveEvent);
    expect(s.sent.slice(1)).toEqual(['{"type":"incident","incidentId":"i1","data":{"status":"triggered"}}', '{"type":"notification"}']);
  });

  it('pings every interval and drops a socket that did not answer the previous ping', () => {
    const alive = new FakeSocket();
    const dead = new FakeSocket();
    hub.add(asWs(alive), user);
    hub.add(asWs(dead), user);
    vi.advanceTimersByTime(1000);
    expect([alive.pings, dead.pings]).toEqual([1, 1]);
    alive.emit('pong');
    vi.advanceTimersByTime(1000);
    expect(dead.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(hub.size).toBe(1);
  });

  it('closes a socket that fell too far behind instead of buffering without bound', () => {
    const slow = new FakeSocket();
    hub.add(asWs(slow), user);
    slow.bufferedAmount = 5 * 1024 * 1024;
    emitter.emit('event', { type: 'incident' } satisfies LiveEvent);
    expect(slow.closedWith).toBe(LIVE_CLOSE_TOO_SLOW);
    expect(hub.size).toBe(0);
  });

  it('stops listening when closed', () => {
    hub.close();
    expect(emitter.listenerCount('event')).toBe(0);
  });
});

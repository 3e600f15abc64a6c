/**
 * Where live events come from. The hub subscribes to one LiveSource and fans its events out to the
 * WebSockets connected to this instance. Today the source is the in-process EventEmitter that
 * Ctx.publish feeds (events of this instance only). With several instances, a PostgreSQL source
 * plugs in here: publish does `NOTIFY klaxon_live, '<json>'` after commit, and a source holding one
 * dedicated connection with `LISTEN klaxon_live` calls its listeners for every instance's events.
 */
import type { EventEmitter } from 'node:events';
import type { LiveEvent } from '../../context.js';

/** A stream of live events, published after their transaction committed. */
export interface LiveSource {
  /** Calls `listener` for every event from now on; returns the function that stops it. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

/** The in-process source: the EventEmitter that Ctx.publish emits 'event' on (app/klaxon.ts `live`). */
export function emitterLiveSource(emitter: EventEmitter, eventName = 'event'): LiveSource {
  return {
    subscribe(listener) {
      emitter.on(eventName, listener);
      return () => emitter.off(eventName, listener);
    },
  };
}

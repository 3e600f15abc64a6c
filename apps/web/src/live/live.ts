import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { api, type IncidentPage, type IncidentQuery } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { Incident, LiveEvent } from '@klaxon/contract';

export type LiveStatus = 'connecting' | 'open' | 'closed';

type Handler = (e: LiveEvent) => void;

/** How often an open socket is pinged (the server answers {type:'pong'}). */
const HEARTBEAT_MS = 25_000;

/** The backoff before reconnect attempt `n` (0-based): 0.5 s doubling to 30 s, with ±20% jitter. */
export function backoffMs(n: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.min(n, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * The one WebSocket per browser tab (/api/v1/live). Reconnects with backoff, at once when the
 * device comes back online or the tab becomes visible; after a reconnect every cached query is
 * refreshed, since events may have been missed. No polling anywhere.
 */
export class LiveConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastMessageAt = 0;
  private everOpened = false;
  private handlers = new Set<Handler>();
  private statusListeners = new Set<(s: LiveStatus) => void>();
  status: LiveStatus = 'closed';

  constructor(
    private readonly url: string,
    private readonly onReconnect: () => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.wakeUp);
    document.addEventListener('visibilitychange', this.wakeUp);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.wakeUp);
    document.removeEventListener('visibilitychange', this.wakeUp);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.everOpened = false;
    this.setStatus('closed');
  }

  /** Subscribes to every event; returns the unsubscribe function. Future features (war room, schedules) hook in here. */
  subscribe(h: Handler): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  onStatus(fn: (s: LiveStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  private setStatus(s: LiveStatus): void {
    this.status = s;
    for (const fn of this.statusListeners) fn(s);
  }

  private wakeUp = (): void => {
    if (this.stopped || document.visibilityState === 'hidden') return;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    this.connect();
  };

  private connect(): void {
    if (this.stopped) return;
    this.setStatus('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.lastMessageAt = Date.now();
      // Sleeping phones and dead NAT entries leave sockets half-open: ping, and reconnect when nothing comes back.
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (Date.now() - this.lastMessageAt > HEARTBEAT_MS * 2.5) ws.close();
        else ws.send('{"type":"ping"}');
      }, HEARTBEAT_MS);
      this.setStatus('open');
      if (this.everOpened) this.onReconnect();
      this.everOpened = true;
    };
    ws.onmessage = (m) => {
      this.lastMessageAt = Date.now();
      let e: LiveEvent;
      try {
        e = JSON.parse(String(m.data)) as LiveEvent;
      } catch {
        return;
      }
      if (!e || typeof e.type !== 'string' || e.type === 'pong' || e.type === 'hello') return;
      for (const h of this.handlers) h(e);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      this.setStatus('closed');
      this.scheduleReconnect();
    };
    ws.onerror = () => ws.close();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    const delay = backoffMs(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }
}

/** Whether an incident belongs in a list with these filters. */
export function matchesQuery(i: Incident, q: IncidentQuery): boolean {
  if (q.status?.length && !q.status.includes(i.status)) return false;
  if (q.service && q.service !== i.serviceId) return false;
  if (q.severity && q.severity !== i.severity) return false;
  if (q.sev && q.sev !== i.sev) return false;
  if (q.q && !i.title.toLowerCase().includes(q.q.trim().toLowerCase())) return false;
  if (q.assignee && i.incidentManagerId !== q.assignee && i.acknowledgedBy !== q.assignee) return false;
  return true;
}

/**
 * Puts a fresh copy of an incident into a cached list: replaced where it is, added on top if it is
 * newer than everything loaded, dropped if it no longer matches the list's filters.
 */
export function patchIncidentPages(data: InfiniteData<IncidentPage, number | undefined>, q: IncidentQuery, inc: Incident): InfiniteData<IncidentPage, number | undefined> {
  const fits = matchesQuery(inc, q);
  let found = false;
  const pages = data.pages.map((p) => {
    const idx = p.incidents.findIndex((x) => x.id === inc.id);
    if (idx < 0) return p;
    found = true;
    const incidents = fits ? p.incidents.map((x, i) => (i === idx ? inc : x)) : p.incidents.filter((_, i) => i !== idx);
    return { ...p, incidents };
  });
  const first = pages[0];
  if (!found && fits && first) {
    const top = first.incidents[0]?.number ?? 0;
    // Older than the top of the list: it belongs to a page we have not loaded, or in a gap we would misplace it in.
    if (inc.number > top || first.incidents.length === 0) {
      const insertAt = first.incidents.findIndex((x) => x.number < inc.number);
      const incidents = [...first.incidents];
      incidents.splice(insertAt < 0 ? incidents.length : insertAt, 0, inc);
      pages[0] = { ...first, incidents };
    }
  }
  return { ...data, pages };
}

/**
 * Applies live events to the query cache. Incident changes are fetched once per burst and patched
 * into every cached list (no list refetch, so 10,000 loaded incidents stay cheap); a large burst
 * refreshes the first page of each list instead.
 */
export function applyLiveEvents(qc: QueryClient): (e: LiveEvent) => void {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = async () => {
    timer = null;
    const ids = [...pending];
    pending.clear();
    if (ids.length > 25) {
      // A storm: refetching each incident would cost more than reloading the lists.
      await qc.invalidateQueries({ queryKey: keys.incidentLists });
      for (const id of ids) void qc.invalidateQueries({ queryKey: keys.incident(id), exact: true });
      return;
    }
    await Promise.all(
      ids.map(async (id) => {
        let inc: Incident;
        try {
          inc = await api.incidents.get(id);
        } catch {
          return;
        }
        qc.setQueryData(keys.incident(inc.id), inc);
        if (inc.number) qc.setQueryData(keys.incident(String(inc.number)), inc);
        for (const [key, data] of qc.getQueriesData<InfiniteData<IncidentPage, number | undefined>>({ queryKey: keys.incidentLists })) {
          if (!data) continue;
          const q = (key[1] ?? {}) as IncidentQuery;
          // The team is not on the incident: the server decides, so refetch such lists.
          if (q.team) void qc.invalidateQueries({ queryKey: key, exact: true });
          else qc.setQueryData(key, patchIncidentPages(data, q, inc));
        }
      }),
    );
  };

  return (e) => {
    if (!e.incidentId) return;
    if (e.type === 'chat.receipt') {
      // Someone received or read a priority message: the sender's view shows it.
      void qc.invalidateQueries({ queryKey: keys.chat(e.incidentId) });
      return;
    }
    if (e.type === 'chat') {
      // War-room chat: refetch the chat (and the war room: posting makes the sender a member).
      void qc.invalidateQueries({ queryKey: keys.chat(e.incidentId) });
      void qc.invalidateQueries({ queryKey: keys.warRoom(e.incidentId) });
      return;
    }
    if (e.type === 'incident' || e.type === 'timeline') void qc.invalidateQueries({ queryKey: keys.internalStatus });
    if (e.type === 'incident' || e.type === 'timeline' || e.type === 'notification') {
      pending.add(e.incidentId);
      timer ??= setTimeout(() => void flush(), 100);
    }
    if (e.type === 'timeline' || e.type === 'notification') {
      void qc.invalidateQueries({ queryKey: keys.warRoom(e.incidentId) });
      void qc.invalidateQueries({ queryKey: keys.statusUpdates(e.incidentId) });
      void qc.invalidateQueries({ queryKey: keys.timeline(e.incidentId) });
      void qc.invalidateQueries({ queryKey: keys.alerts(e.incidentId) });
    }
  };
}

let shared: LiveConnection | null = null;

/** The tab's live connection (created on first use). */
export function liveConnection(qc: QueryClient): LiveConnection {
  if (!shared) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    shared = new LiveConnection(`${proto}//${location.host}/api/v1/live`, () => void qc.invalidateQueries());
    shared.subscribe(applyLiveEvents(qc));
  }
  return shared;
}

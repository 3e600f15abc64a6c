/** bench/peer.ts: the load generator (autocannon, and an evenly paced open loop) and the request bodies. */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { KEYS, progress } from './common.js';

// ---------------------------------------------------------------------------------------------
// Load: autocannon with a body per request and the time each request was accepted (2xx).
// ---------------------------------------------------------------------------------------------

export interface LoadOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  /** The body of request number `seq` (0, 1, 2, ... across all connections). */
  body: (seq: number) => string;
  /** Called with the request's number and performance.now() when it is built, just before it is written. */
  sent?: (seq: number, t: number) => void;
  /** Called with the request's number and performance.now() when it is answered 2xx. */
  accepted?: (seq: number, t: number) => void;
  /** Printed every 5 s while it runs. */
  label: string;
}

export interface LoadResult {
  res: autocannon.Result;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  ok: number;
  /** Requests built (and so sent or about to be); those unanswered when a timed run ended were dropped by autocannon. */
  built: number;
  /** performance.now() at the start and at the last answer. */
  start: number;
  lastAnswer: number;
}

export function load(o: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const statuses: Record<string, number> = {};
  let ok = 0;
  let lastAnswer = 0;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const ticker = setInterval(
      () =>
        progress(
          `  ${o.label}: ${ok} accepted, ${
            Object.entries(statuses)
              .filter(([s]) => !s.startsWith('2'))
              .map(([s, n]) => `${n}×${s}`)
              .join(' ') || 'no other answers'
          }`,
        ),
      5000,
    );
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        ...(o.duration !== undefined && { duration: o.duration }),
        ...(o.amount !== undefined && { amount: o.amount }),
        timeout: 30,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req: autocannon.Request, context: object) => {
              const seq = next++;
              (context as { seq?: number }).seq = seq;
              o.sent?.(seq, performance.now());
              return { ...req, body: o.body(seq) };
            },
            onResponse: (status: number, _body: string, context: object) => {
              const t = performance.now();
              lastAnswer = t;
              statuses[status] = (statuses[status] ?? 0) + 1;
              if (status >= 200 && status < 300) {
                ok++;
                o.accepted?.((context as { seq: number }).seq, t);
              }
            },
          },
        ],
      },
      (err, res) => {
        clearInterval(ticker);
        if (err) reject(err);
        else resolve({ res, statuses, ok, built: next, start, lastAnswer });
      },
    );
    autocannon.track(instance, { renderProgressBar: process.stdout.isTTY, renderResultsTable: false, renderLatencyTable: false });
  });
}

export interface PacedResult {
  statuses: Record<string, number>;
  ok: number;
  built: number;
  errors: number;
  /** Seconds from the first request's due time to the last answer. */
  seconds: number;
}

/**
 * An open-loop load at a fixed rate for the latency figure: request i is due at start + i/rate and
 * is written then (or as soon as a connection is free), evenly spread, whatever the answers do.
 * autocannon's overallRate gives each connection its own per-second budget, so 25/s over 25
 * connections arrives as a burst of 25 at the top of every second: that measured bursts, not a rate.
 * `sent` is the due time, so a request that waited for a connection counts its wait.
 */
export async function paced(o: {
  url: string;
  rate: number;
  seconds: number;
  connections: number;
  body: (seq: number) => string;
  sent: (seq: number, t: number) => void;
  accepted: (seq: number, t: number) => void;
  label: string;
}): Promise<PacedResult> {
  const u = new URL(o.url);
  const pool = new Pool(u.origin, { connections: o.connections, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const statuses: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let lastAnswer = 0;
  const total = Math.round(o.rate * o.seconds);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  const ticker = setInterval(() => progress(`  ${o.label}: ${ok} accepted of ${inFlight.length} sent`), 5000);
  try {
    for (let seq = 0; seq < total; seq++) {
      const due = start + (seq * 1000) / o.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      o.sent(seq, due);
      inFlight.push(
        pool
          .request({ method: 'POST', path: u.pathname, headers: { 'content-type': 'application/json' }, body: o.body(seq) })
          .then(async (res) => {
            await res.body.dump();
            lastAnswer = performance.now();
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            if (res.statusCode >= 200 && res.statusCode < 300) {
              ok++;
              o.accepted(seq, performance.now());
            }
          })
          .catch(() => {
            errors++;
          }),
      );
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(ticker);
    await pool.close();
  }
  return { statuses, ok, built: total, errors, seconds: (lastAnswer - start) / 1000 };
}

/** PagerDuty Events v2 trigger. */
export function pdBody(routingKey: string, dedupKey: string, summary: string, i: number): string {
  return JSON.stringify({
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: { summary, source: `api-${i % KEYS}`, severity: 'critical', custom_details: { p99_ms: 2000 + (i % 500) } },
  });
}

/** One alert for Alertmanager's /api/v2/alerts. */
export function amBody(labels: Record<string, string>, summary: string, i: number): string {
  return JSON.stringify([
    {
      labels: { alertname: 'LatencyHigh', severity: 'critical', ...labels },
      annotations: { summary, source: `api-${i % KEYS}`, p99_ms: String(2000 + (i % 500)) },
      startsAt: new Date().toISOString(),
    },
  ]);
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus registry and Klaxon's own metrics, served at /metrics. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'klaxon_process_' });

export const eventsIngested = new Counter({
  name: 'klaxon_events_ingested_total',
  help: 'Alert events accepted, by integration kind and outcome',
  labelNames: ['kind', 'outcome'],
  registers: [metricsRegistry],
});
export const eventsRejected = new Counter({
  name: 'klaxon_events_rejected_total',
  help: 'Alert events rejected, by integration kind and reason',
  labelNames: ['kind', 'reason'],
  registers: [metricsRegistry],
});
export const messagesSent = new Counter({ name: 'klaxon_messages_total', help: 'Outgoing messages by channel and result', labelNames: ['channel', 'result'], registers: [metricsRegistry] });
export const engineModuleSeconds = new Histogram({
  name: 'klaxon_engine_module_seconds',
  help: 'Engine module run time',
  labelNames: ['module'],
  buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
  registers: [metricsRegistry],
});
/** Every statement Kysely sends, BEGIN and COMMIT included: on PostgreSQL each one is a network round trip. */
export const dbStatements = new Counter({
  name: 'klaxon_db_statements_total',
  help: 'Statements sent to the database (BEGIN and COMMIT included); on PostgreSQL each is one network round trip',
  labelNames: ['dialect'],
  registers: [metricsRegistry],
});
export const engineModuleErrors = new Counter({ name: 'klaxon_engine_module_errors_total', help: 'Engine module failures', labelNames: ['module'], registers: [metricsRegistry] });

/** Where the SQLite commit and sync counters come from (the server's database); null on PostgreSQL. */
let sqliteDurability: () => { committed: number; syncs: number; checkpoints: number } | null = () => null;
/** Points the SQLite counters at a database (startKlaxon does, once per process that serves). */
export function watchSqliteDurability(fn: () => { committed: number; syncs: number; checkpoints: number } | null): void {
  sqliteDurability = fn;
}
new Gauge({
  name: 'klaxon_sqlite_commits',
  help: 'SQLite write commits since start (each made durable by an fdatasync of the WAL shared with others)',
  registers: [metricsRegistry],
  collect() {
    this.set(sqliteDurability()?.committed ?? 0);
  },
});
new Gauge({
  name: 'klaxon_sqlite_checkpoints',
  help: 'WAL checkpoints run (in a worker thread, off the event loop) since start',
  registers: [metricsRegistry],
  collect() {
    this.set(sqliteDurability()?.checkpoints ?? 0);
  },
});
new Gauge({
  name: 'klaxon_sqlite_syncs',
  help: 'fdatasync calls on the SQLite WAL since start',
  registers: [metricsRegistry],
  collect() {
    this.set(sqliteDurability()?.syncs ?? 0);
  },
});

/*
 * Migration from other on-call systems (docs/migrate.md): each source (opsgenie/, pagerduty/,
 * grafana-oncall/) reads the vendor's documented REST API through a SourceClient and maps what it
 * finds onto a klaxon.yaml document (the config-as-code format) plus a report of everything that had
 * no exact equivalent. Nothing is dropped silently and nothing is rounded.
 */
import type { ConfigDocument } from '../config/schema.js';

/** The systems Klaxon imports from; also the CLI's subcommand names. */
export type SourceName = 'opsgenie' | 'pagerduty' | 'grafana-oncall';

/** Why something did not come over exactly. Every such case is one item in the report. */
export type ReportSeverity = 'not-imported' | 'changed' | 'note';

/** One line of the migration report: a source object, what happened to it and why. */
export interface ReportItem {
  severity: ReportSeverity;
  /** The source's kind of object, in the vendor's words: "schedule", "escalation rule", "user contact"... */
  kind: string;
  /** The source object's name (or the best human label), and its id in the source. */
  name: string;
  id: string;
  /** Why it has no exact Klaxon equivalent. */
  why: string;
  /** What Klaxon did instead, or "not imported". */
  instead: string;
}

/** The exact change to make in a sender so it sends to Klaxon instead of the source. */
export interface SenderChange {
  /** The integration in the source (name and id) and the Klaxon service/integration it became. */
  source: { name: string; id: string; type: string };
  service: string;
  integration: string;
  /** For a heartbeat sender that moves to a check-in URL: the Klaxon heartbeat (of `service`) whose URL it calls. */
  heartbeat?: string;
  /** Human instruction, e.g. "Alertmanager: set url: to http://klaxon.example.com/v2/enqueue and routing_key: to <key>". */
  instruction: string;
}

/**
 * A maintenance window running or ahead at the source, for the services it covers. Not part of
 * klaxon.yaml (windows are operational, not configuration): `--apply` creates it in the same
 * transaction as the configuration, once (an identical window already in Klaxon is left alone).
 */
export interface ImportedMaintenance {
  /** The source object (name and id), as in the report. */
  source: { name: string; id: string };
  title: string;
  description: string;
  /** Klaxon service names from `config.services` (at least one). */
  services: string[];
  /** Epoch ms, startsAt < endsAt. */
  startsAt: number;
  endsAt: number;
}

/** What one import produced. `config` validates against ConfigSchema. */
export interface ImportResult {
  source: SourceName;
  /** The source's base URL the import read from. */
  url: string;
  config: ConfigDocument;
  /** How many objects of each type were read from the source, e.g. { users: 12, schedules: 4 }. */
  counts: Record<string, number>;
  items: ReportItem[];
  senders: SenderChange[];
  /** Maintenance windows to create with the configuration (see ImportedMaintenance). */
  maintenance: ImportedMaintenance[];
}

/** Progress of reading one resource type (users, schedules...). The CLI draws a bar per type on a terminal. */
export interface Progress {
  /** A resource type starts; total if the source says how many. */
  start(resource: string, total?: number): void;
  /** n more objects of that type were read. */
  advance(resource: string, n: number, total?: number): void;
  /** That type is done. */
  done(resource: string): void;
}

/** A Progress that shows nothing (tests, --json). */
export const silentProgress: Progress = { start() {}, advance() {}, done() {} };

export { MigrateError } from './errors.js';

/** Options every import takes from the CLI. */
export interface ImportOptions {
  /** Public URL of the Klaxon that will receive alerts, for the sender instructions (KLAXON_PUBLIC_URL). */
  klaxonUrl: string;
  /** --trust-contacts: contact methods in use at the source are marked verified (said in the report). */
  trustContacts: boolean;
  /** "Now", from the injected clock: future overrides and maintenance windows are those ending after it. */
  now: number;
}

/** Who the source has on call over a span, for one schedule, as the source itself computes it. */
export interface SourceOnCall {
  /** The Klaxon schedule name the import gives this source schedule (the same mapping as import). */
  schedule: string;
  source: { name: string; id: string };
  /** Contiguous intervals, epoch ms, [start, end), each with the emails on call (sorted); no one = []. */
  intervals: { start: number; end: number; emails: string[] }[];
  /** Said when the source's answer is doubtful (e.g. PagerDuty layer order disagreed with final_schedule). */
  notes?: string[];
}

/** Who each level of an imported service's escalation would page at one instant, per the source. */
export interface SourcePaging {
  /** The Klaxon service name the import gives this source service. */
  service: string;
  source: { name: string; id: string };
  /** One entry per Klaxon level the import produced, in order: emails (sorted). */
  levels: { emails: string[] }[];
}

/**
 * One source system. import() maps the whole account; onCall() and paging() answer the parallel-run
 * comparison (`klaxon compare`) from the source's own evaluation (its on-call/final-schedule APIs),
 * never from Klaxon's schedule code.
 */
export interface SourceAdapter {
  name: SourceName;
  /** Flags and environment variable of the credential, for --help and errors. */
  credential: { flag: string; env: string; describe: string };
  defaultUrl?: string;
  /**
   * A client for the source's REST API: `maxRate` requests a second at most (the CLI's --max-rate,
   * default the vendor's documented limit for one key), each tried `maxTries` times (--max-tries).
   */
  client(opts: { url: string; credential: string; maxRate: number; maxTries: number }): import('./source-client.js').SourceClient;
  import(client: import('./source-client.js').SourceClient, progress: Progress, opts: ImportOptions): Promise<ImportResult>;
  onCall(client: import('./source-client.js').SourceClient, progress: Progress, span: { from: number; to: number }): Promise<SourceOnCall[]>;
  paging(client: import('./source-client.js').SourceClient, progress: Progress, at: number): Promise<SourcePaging[]>;
}

/** A lookup in a constant table by a value the source sent: only the table's own keys (never `constructor`, `__proto__`...). */
export function lookup<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

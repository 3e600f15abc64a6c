/*
 * Setup and hazard guards: which channels can page (GET /channels), the setup checklist
 * (GET /setup/checklist), who declaring major would page (GET /incidents/:id/declare-preview),
 * reopening an incident, and the migration status for the admin area (GET /migration). Types as
 * apps/server answers them (setup/checklist.ts, warroom/service.ts, migrate/store.ts, compare.ts).
 */
import { useQuery } from '@tanstack/react-query';
import { request } from './client.ts';
import type { Incident } from './types.ts';
import { keys } from './keys.ts';

const enc = encodeURIComponent;

export type PagingChannel = 'email' | 'sms' | 'voice' | 'slack' | 'push';

export interface ChannelStatus {
  channel: PagingChannel;
  configured: boolean;
  /** Environment variables that configure it. */
  settings: string[];
}

export interface ChecklistStep {
  id: 'channels' | 'people' | 'schedule' | 'policy' | 'service';
  title: string;
  done: boolean;
  detail: string;
  link: string;
}

export interface Checklist {
  channels: ChannelStatus[];
  steps: ChecklistStep[];
  done: boolean;
}

export interface DeclarePreview {
  sev: string;
  incidentManager: { id: string; name: string; why: string } | null;
  paged: { id: string; name: string }[];
  notes: string[];
  alreadyMajor: boolean;
}

/** One run kept by `klaxon import` (kind import) or `klaxon compare` (kind compare), as migrate/store.ts MigrationRun. */
export interface MigrationRun {
  id: string;
  kind: 'import' | 'compare';
  source: string;
  sourceUrl: string;
  createdAt: number;
  differences: number;
  /** Import: ImportSummary. Compare: CompareResult. */
  summary: unknown;
  /** Markdown (import) or text (compare). */
  report: string;
}

/** A span where the source and Klaxon name different people on call (emails). */
export interface OnCallDifference {
  schedule: string;
  start: number;
  end: number;
  source: string[];
  klaxon: string[];
}

/** One escalation level where the two sides would page different people now. */
export interface PagingDifference {
  service: string;
  level: number;
  source: string[];
  klaxon: string[];
}

/** What `klaxon compare` found (as migrate/compare.ts CompareResult). */
export interface CompareResult {
  source: string;
  url: string;
  from: number;
  to: number;
  at: number;
  schedules: { schedule: string; source: { name: string; id: string }; inKlaxon: boolean; differences: OnCallDifference[]; notes: string[] }[];
  services: { service: string; source: { name: string; id: string }; inKlaxon: boolean; levels: { level: number; source: string[]; klaxon: string[] }[]; differences: PagingDifference[] }[];
  differences: number;
}

/** An applied import's summary (as migrate/run.ts applyImport keeps it). */
export interface ImportSummary {
  counts?: Record<string, number>;
  items?: { severity: string; kind: string; name: string; id: string }[];
  senders?: { source: { name: string }; service: string; integration: string; instruction: string }[];
  trustContacts?: boolean;
}

export const setupApi = {
  channels: () => request<{ channels: ChannelStatus[] }>('GET', '/channels').then((r) => r.channels),
  checklist: () => request<Checklist>('GET', '/setup/checklist'),
  declarePreview: (incidentId: string, sev?: string) => request<{ preview: DeclarePreview }>('GET', `/incidents/${enc(incidentId)}/declare-preview`, { query: { sev } }).then((r) => r.preview),
  reopen: (incidentId: string, escalate: boolean) => request<{ incident: Incident; changed: boolean }>('POST', `/incidents/${enc(incidentId)}/reopen`, { body: { escalate } }),
  migration: () => request<{ lastImport: MigrationRun | null; lastCompare: MigrationRun | null }>('GET', '/migration'),
};

/** The paging channels and whether each is configured (changes only with a restart: cached for the session). */
export const useChannels = () => useQuery({ queryKey: keys.setup.channels, queryFn: setupApi.channels, staleTime: Infinity });

/*
 * Setup and hazard guards: which channels can page (GET /channels), the setup checklist
 * (GET /setup/checklist), who declaring major would page (GET /incidents/:id/declare-preview),
 * reopening an incident, and the migration status for the admin area (GET /migration). Types from
 * the API contract (packages/contract), as the server declares its answers.
 */
import { useQuery } from '@tanstack/react-query';
import { request } from './client.ts';
import type { ChannelStatus, Checklist, DeclarePreview, Incident, MigrationRun } from '@klaxon/contract';
import { keys } from './keys.ts';

const enc = encodeURIComponent;

// The answers' types are the server's, from the API contract.
export type { ChannelStatus, Checklist, ChecklistStep, CompareResult, DeclarePreview, ImportSummary, MigrationRun, OnCallDifference, PagingChannel, PagingDifference } from '@klaxon/contract';

export const setupApi = {
  channels: () => request<{ channels: ChannelStatus[] }>('GET', '/channels').then((r) => r.channels),
  checklist: () => request<Checklist>('GET', '/setup/checklist'),
  declarePreview: (incidentId: string, sev?: string) => request<{ preview: DeclarePreview }>('GET', `/incidents/${enc(incidentId)}/declare-preview`, { query: { sev } }).then((r) => r.preview),
  reopen: (incidentId: string, escalate: boolean) => request<{ incident: Incident; changed: boolean }>('POST', `/incidents/${enc(incidentId)}/reopen`, { body: { escalate } }),
  migration: () => request<{ lastImport: MigrationRun | null; lastCompare: MigrationRun | null }>('GET', '/migration'),
};

/** The paging channels and whether each is configured (changes only with a restart: cached for the session). */
export const useChannels = () => useQuery({ queryKey: keys.setup.channels, queryFn: setupApi.channels, staleTime: Infinity });

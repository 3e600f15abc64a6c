import { request } from '../api/client.ts';
import type { Incident, TimelineEvent } from '@klaxon/contract';
// The server's types, from the API contract.
export type { BulkResult } from '@klaxon/contract';
import type { BulkResult } from '@klaxon/contract';

const enc = encodeURIComponent;

/** Snooze, notes, add responders and bulk actions on ordinary incidents (docs/api.md). */
export const stormApi = {
  snooze: (id: string, minutes: number) => request<{ incident: Incident; changed: boolean }>('POST', `/incidents/${enc(id)}/snooze`, { body: { minutes } }),
  note: (id: string, text: string) => request<{ note: TimelineEvent }>('POST', `/incidents/${enc(id)}/notes`, { body: { text } }).then((r) => r.note),
  addResponder: (id: string, user: string) => request<{ paged: { userId: string; channels: string[] } }>('POST', `/incidents/${enc(id)}/responders`, { body: { user } }).then((r) => r.paged),
  bulk: (ids: string[], action: 'acknowledge' | 'resolve' | 'snooze', minutes?: number) =>
    request<{ results: BulkResult[] }>('POST', '/incidents/bulk', { body: { ids, action, ...(minutes !== undefined && { minutes }) } }).then((r) => r.results),
};

/** The snooze choices offered on the incident page and for a bulk snooze. */
export const SNOOZE_CHOICES: { minutes: number; label: string }[] = [
  { minutes: 15, label: '15 minutes' },
  { minutes: 30, label: '30 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
];

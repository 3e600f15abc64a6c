/*
 * Postmortems and action items: the API's types (as apps/server/src/postmortem/types.ts answers
 * them), its calls, query keys and hooks. Kept apart from client.ts so that only the screens that
 * show postmortems load it.
 */
import { useQuery } from '@tanstack/react-query';
import { ApiError, request } from './client.ts';
import { keys } from './keys.ts';
// The server's types, from the API contract.
export type { PostmortemSections, KeyEvent, PostmortemFacts, ActionItem, OpenActionItem, PostmortemSummary, Postmortem, PostmortemPatch, ActionItemInput } from '@klaxon/contract';
import type { PostmortemSections, ActionItem, OpenActionItem, PostmortemSummary, Postmortem, PostmortemPatch, ActionItemInput } from '@klaxon/contract';

/** Review states of a postmortem, in order. */
export const POSTMORTEM_STATES = ['draft', 'in_review', 'published'] as const;
export type PostmortemState = (typeof POSTMORTEM_STATES)[number];

/** Action item states; open and in_progress count as open. */
export const ACTION_ITEM_STATES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionItemState = (typeof ACTION_ITEM_STATES)[number];

export type SectionKey = keyof PostmortemSections;

/** The sections in document order with their headings (as the Markdown export names them). */
export const SECTIONS: readonly { key: SectionKey; title: string; hint: string; placeholder?: string }[] = [
  { key: 'summary', title: 'Summary', hint: 'What happened, in a few sentences.' },
  { key: 'impact', title: 'Impact', hint: 'Who was affected, how, and for how long.', placeholder: 'Describe who was affected and how.' },
  { key: 'timeline', title: 'Timeline', hint: 'Generated from the incident timeline; add what happened outside Klaxon.' },
  { key: 'statusUpdates', title: 'Status updates', hint: 'What stakeholders were told.' },
  { key: 'rootCause', title: 'Root cause', hint: 'Why it happened (and why it was not caught earlier).', placeholder: 'What caused it?' },
  { key: 'wentWell', title: 'What went well', hint: '', placeholder: 'What helped: an alert, a runbook, a person?' },
  { key: 'wentBadly', title: 'What went badly', hint: '', placeholder: 'What slowed the response?' },
];

/** A problem record an action item was handed over to. */
export interface ProblemRecord {
  id: string;
  title: string;
  externalUrl: string | null;
  createdAt: number;
}

/** The API's limits, so forms refuse what the API would refuse before sending it. */
export const LIMITS = { title: 300, section: 100_000, itemTitle: 500, url: 2000 } as const;

const enc = encodeURIComponent;

/** The postmortem API. */
export const postmortemApi = {
  list: (f: { team?: string; state?: string }) => request<{ postmortems: PostmortemSummary[] }>('GET', '/postmortems', { query: f }).then((r) => r.postmortems),
  /** By the postmortem's id or its incident's id. */
  /** The incident's postmortem, or null when it has none yet. */
  ofIncident: (incidentId: string) => request<{ postmortem: Postmortem | null }>('GET', `/incidents/${enc(incidentId)}/postmortem`).then((r) => r.postmortem),
  get: (id: string) => request<{ postmortem: Postmortem }>('GET', `/postmortems/${enc(id)}`).then((r) => r.postmortem),
  /** Generates the draft of a resolved incident (409 when it already has one). */
  create: (incidentId: string) => request<{ postmortem: Postmortem }>('POST', `/incidents/${enc(incidentId)}/postmortem`).then((r) => r.postmortem),
  update: (id: string, patch: PostmortemPatch) => request<{ postmortem: Postmortem }>('PATCH', `/postmortems/${enc(id)}`, { body: patch }).then((r) => r.postmortem),
  setState: (id: string, state: PostmortemState) => request<{ postmortem: Postmortem }>('POST', `/postmortems/${enc(id)}/state`, { body: { state } }).then((r) => r.postmortem),
  /** The whole postmortem as Markdown text. */
  markdown: async (id: string): Promise<string> => {
    const res = await fetch(`/api/v1/postmortems/${enc(id)}/markdown`, { credentials: 'same-origin', headers: { accept: 'text/markdown, application/json' } });
    const text = await res.text();
    if (!res.ok) {
      let message = `Klaxon answered ${res.status}`;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        /* not JSON */
      }
      throw new ApiError(res.status, 'http_' + res.status, message);
    }
    return text;
  },
  addItem: (postmortemId: string, input: ActionItemInput) => request<{ actionItem: ActionItem }>('POST', `/postmortems/${enc(postmortemId)}/action-items`, { body: input }).then((r) => r.actionItem),
  updateItem: (id: string, input: ActionItemInput) => request<{ actionItem: ActionItem }>('PATCH', `/action-items/${enc(id)}`, { body: input }).then((r) => r.actionItem),
  /** Hands an action item over to problem management. */
  handOver: (id: string, input: { title?: string; externalUrl?: string }) => request<{ actionItem: ActionItem }>('POST', `/action-items/${enc(id)}/problem`, { body: input }).then((r) => r.actionItem),
  openItems: (team?: string) => request<{ actionItems: OpenActionItem[] }>('GET', '/action-items', { query: { team } }).then((r) => r.actionItems),
};

export const usePostmortems = (f: { team?: string; state?: string }) => useQuery({ queryKey: keys.postmortems.list(f), queryFn: () => postmortemApi.list(f) });
export const usePostmortem = (id: string) => useQuery({ queryKey: keys.postmortems.one(id), queryFn: () => postmortemApi.get(id) });
export const useOpenActionItems = (team: string) => useQuery({ queryKey: keys.postmortems.openItems(team), queryFn: () => postmortemApi.openItems(team || undefined) });

/** "Draft", "In review", "Published". */
export const stateLabel = (s: string): string => (s === 'in_review' ? 'In review' : s === 'wont_do' ? "Won't do" : s === 'in_progress' ? 'In progress' : s.charAt(0).toUpperCase() + s.slice(1));

/** True for an item that still needs doing. */
export const isOpenItem = (i: { state: ActionItemState }): boolean => i.state === 'open' || i.state === 'in_progress';

/** True for an open item whose due time has passed at `now`. */
export const isOverdue = (i: { state: ActionItemState; dueAt: number | null }, now: number): boolean => isOpenItem(i) && i.dueAt !== null && i.dueAt < now;

import type { ActionItemState, PostmortemState } from '@klaxon/contract';
export { ACTION_ITEM_STATES, POSTMORTEM_STATES, type ActionItemState, type PostmortemState } from '@klaxon/contract';

/** The Markdown sections of a postmortem. */
export interface PostmortemSections {
  summary: string;
  impact: string;
  timeline: string;
  statusUpdates: string;
  rootCause: string;
  wentWell: string;
  wentBadly: string;
}
export const SECTION_KEYS: readonly (keyof PostmortemSections)[] = ['summary', 'impact', 'timeline', 'statusUpdates', 'rootCause', 'wentWell', 'wentBadly'];

/** A key event of the incident, as captured in the draft. */
export interface KeyEvent {
  at: number;
  type: string;
  actor: string;
  message: string;
}

/** The facts a draft is generated from (times in ms from the incident opening). */
export interface PostmortemFacts {
  incidentNumber: number;
  openedAt: number;
  resolvedAt: number | null;
  timeToDetect: number | null;
  timeToAcknowledge: number | null;
  timeToMitigate: number | null;
  timeToResolve: number | null;
  keyEvents: KeyEvent[];
  /** Who did what: per person, the actions they took. */
  participants: { name: string; actions: string[] }[];
}

/** A postmortem as the API shows it. */
export interface Postmortem {
  id: string;
  incidentId: string;
  teamId: string | null;
  title: string;
  state: PostmortemState;
  sections: PostmortemSections;
  facts: PostmortemFacts;
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
  actionItems: ActionItem[];
}

/** An action item. */
export interface ActionItem {
  id: string;
  postmortemId: string;
  teamId: string | null;
  title: string;
  ownerId: string | null;
  dueAt: number | null;
  state: ActionItemState;
  problem: { id: string; title: string; externalUrl: string | null; createdAt: number } | null;
  createdAt: number;
  updatedAt: number;
}

// The request schemas live in the API contract (packages/contract).
export { ActionItemInput, PostmortemPatch, ProblemInput, StateInput } from '@klaxon/contract';

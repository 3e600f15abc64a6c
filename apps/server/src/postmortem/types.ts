import { Type, type Static } from '@sinclair/typebox';

/** Review states of a postmortem. */
export const POSTMORTEM_STATES = ['draft', 'in_review', 'published'] as const;
export type PostmortemState = (typeof POSTMORTEM_STATES)[number];

/** Action item states; open and in_progress count as open. */
export const ACTION_ITEM_STATES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionItemState = (typeof ACTION_ITEM_STATES)[number];

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

const Md = Type.String({ maxLength: 100_000 });

/** Changes to a postmortem: title and any sections (Markdown). */
export const PostmortemPatch = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    sections: Type.Optional(
      Type.Object(
        { summary: Type.Optional(Md), impact: Type.Optional(Md), timeline: Type.Optional(Md), statusUpdates: Type.Optional(Md), rootCause: Type.Optional(Md), wentWell: Type.Optional(Md), wentBadly: Type.Optional(Md) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PostmortemPatch = Static<typeof PostmortemPatch>;

/** A review state change. */
export const StateInput = Type.Object({ state: Type.Union(POSTMORTEM_STATES.map((s) => Type.Literal(s))) }, { additionalProperties: false });

/** A new or changed action item. Due: epoch ms or ISO date-time. */
export const ActionItemInput = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    ownerId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    dueAt: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 40 }), Type.Null()])),
    state: Type.Optional(Type.Union(ACTION_ITEM_STATES.map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);
export type ActionItemInput = Static<typeof ActionItemInput>;

/** Handing an action item to problem management. */
export const ProblemInput = Type.Object(
  { title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })), externalUrl: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://' })) },
  { additionalProperties: false },
);
export type ProblemInput = Static<typeof ProblemInput>;

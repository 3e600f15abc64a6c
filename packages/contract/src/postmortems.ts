import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Literals, Nullable } from './common.js';

/** Review states of a postmortem. */
export const POSTMORTEM_STATES = ['draft', 'in_review', 'published'] as const;
export type PostmortemState = (typeof POSTMORTEM_STATES)[number];

/** Action item states; open and in_progress count as open. */
export const ACTION_ITEM_STATES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionItemState = (typeof ACTION_ITEM_STATES)[number];

const Md = Type.String({ maxLength: 100_000 });

/** Changes to a postmortem: title and any sections (Markdown). */
export const PostmortemPatch = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    sections: Type.Optional(
      Type.Object(
        {
          summary: Type.Optional(Md),
          impact: Type.Optional(Md),
          timeline: Type.Optional(Md),
          statusUpdates: Type.Optional(Md),
          rootCause: Type.Optional(Md),
          wentWell: Type.Optional(Md),
          wentBadly: Type.Optional(Md),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PostmortemPatch = Static<typeof PostmortemPatch>;

/** A review state change. */
export const StateInput = Type.Object({ state: Literals(POSTMORTEM_STATES) }, { additionalProperties: false });

/** A new or changed action item. Due: epoch ms or ISO date-time. */
export const ActionItemInput = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    ownerId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    dueAt: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 40 }), Type.Null()])),
    state: Type.Optional(Literals(ACTION_ITEM_STATES)),
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

/** The Markdown sections of a postmortem. */
export const PostmortemSections = Type.Object({
  summary: Type.String(),
  impact: Type.String(),
  timeline: Type.String(),
  statusUpdates: Type.String(),
  rootCause: Type.String(),
  wentWell: Type.String(),
  wentBadly: Type.String(),
});
export type PostmortemSections = Static<typeof PostmortemSections>;

/** A key event of the incident, as captured in the draft. */
export const KeyEvent = Type.Object({ at: EpochMs, type: Type.String(), actor: Type.String(), message: Type.String() });

/** The facts a draft is generated from (durations in ms from the incident opening). */
export const PostmortemFacts = Type.Object({
  incidentNumber: Type.Integer(),
  openedAt: EpochMs,
  resolvedAt: Nullable(EpochMs),
  timeToDetect: Nullable(Type.Number()),
  timeToAcknowledge: Nullable(Type.Number()),
  timeToMitigate: Nullable(Type.Number()),
  timeToResolve: Nullable(Type.Number()),
  keyEvents: Type.Array(KeyEvent),
  participants: Type.Array(Type.Object({ name: Type.String(), actions: Type.Array(Type.String()) })),
});
export type PostmortemFacts = Static<typeof PostmortemFacts>;

/** An action item. */
export const ActionItem = Type.Object({
  id: Type.String(),
  postmortemId: Type.String(),
  teamId: Nullable(Type.String()),
  title: Type.String(),
  ownerId: Nullable(Type.String()),
  dueAt: Nullable(EpochMs),
  state: Literals(ACTION_ITEM_STATES),
  problem: Nullable(Type.Object({ id: Type.String(), title: Type.String(), externalUrl: Nullable(Type.String()), createdAt: EpochMs })),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type ActionItem = Static<typeof ActionItem>;

const PostmortemHead = {
  id: Type.String(),
  incidentId: Type.String(),
  teamId: Nullable(Type.String()),
  title: Type.String(),
  state: Literals(POSTMORTEM_STATES),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  publishedAt: Nullable(EpochMs),
};

/** A postmortem as the API shows it. */
export const Postmortem = Type.Object({ ...PostmortemHead, sections: PostmortemSections, facts: PostmortemFacts, actionItems: Type.Array(ActionItem) });
export type Postmortem = Static<typeof Postmortem>;

/** A postmortem as lists show it: without sections, facts and action items. */
export const PostmortemSummary = Type.Object(PostmortemHead);
export type PostmortemSummary = Static<typeof PostmortemSummary>;

/** An open action item with what lists need beside it. */
export const OpenActionItem = Type.Object({ ...ActionItem.properties, ownerName: Nullable(Type.String()), postmortemTitle: Type.String(), incidentId: Type.String() });
export type OpenActionItem = Static<typeof OpenActionItem>;

export const PostmortemListQuery = Type.Object({ team: Type.Optional(Type.String({ maxLength: 200 })), state: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false });
export const ActionItemListQuery = Type.Object({ team: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });

export const PostmortemAnswer = Type.Object({ postmortem: Postmortem });
export const MaybePostmortemAnswer = Type.Object({ postmortem: Nullable(Postmortem) });
export const PostmortemsAnswer = Type.Object({ postmortems: Type.Array(PostmortemSummary) });
export const ActionItemAnswer = Type.Object({ actionItem: ActionItem });
export const OpenActionItemsAnswer = Type.Object({ actionItems: Type.Array(OpenActionItem) });

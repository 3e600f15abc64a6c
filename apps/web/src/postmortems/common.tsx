import { Badge, Tabs, Text } from '@mantine/core';
import { useLocation, useNavigate } from 'react-router-dom';
import { isOverdue, stateLabel, type ActionItemState, type PostmortemState } from '../api/postmortems.ts';

const STATE_COLOR: Record<PostmortemState, string> = { draft: 'gray', in_review: 'yellow', published: 'green' };
const ITEM_COLOR: Record<ActionItemState, string> = { open: 'blue', in_progress: 'indigo', done: 'green', wont_do: 'gray' };

/** A postmortem's review state as a badge. */
export function StateBadge({ state, size = 'md' }: { state: PostmortemState; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={STATE_COLOR[state]} variant="light" size={size} style={{ flex: 'none' }} data-testid="postmortem-state" data-state={state}>
      {stateLabel(state)}
    </Badge>
  );
}

/** An action item's state as a badge. */
export function ItemStateBadge({ state }: { state: ActionItemState }) {
  return (
    <Badge color={ITEM_COLOR[state]} variant="light" size="sm" style={{ flex: 'none' }}>
      {stateLabel(state)}
    </Badge>
  );
}

/** A calendar date, e.g. "Wed 4 Mar 2026". */
export function dateOnly(at: number): string {
  try {
    return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(at);
  } catch {
    return new Date(at).toISOString().slice(0, 10);
  }
}

/** An item's due date, red and marked "overdue" once it has passed while the item is open. */
export function DueText({ item, now }: { item: { state: ActionItemState; dueAt: number | null }; now: number }) {
  if (item.dueAt === null) {
    return (
      <Text span size="sm" c="dimmed">
        no due date
      </Text>
    );
  }
  const overdue = isOverdue(item, now);
  return (
    <Text span size="sm" c={overdue ? 'red' : undefined} fw={overdue ? 700 : undefined} data-testid="item-due" data-overdue={overdue ? 'true' : 'false'}>
      {overdue ? 'overdue since ' : 'due '}
      {dateOnly(item.dueAt)}
    </Text>
  );
}

/** "Owner · due date" as one line of text that wraps naturally on a phone. */
export function OwnerAndDue({ ownerName, item, now }: { ownerName: string | null; item: { state: ActionItemState; dueAt: number | null }; now: number }) {
  return (
    <Text size="sm">
      <span data-testid="item-owner">
        {ownerName ?? (
          <Text span c="orange" size="sm">
            no owner
          </Text>
        )}
      </span>
      <Text span c="dimmed" size="sm">
        {' · '}
      </Text>
      <DueText item={item} now={now} />
    </Text>
  );
}

/** Tabs across the postmortem screens: the list and the open action items. */
export function PostmortemTabs() {
  const location = useLocation();
  const navigate = useNavigate();
  const value = location.pathname.startsWith('/postmortems/action-items') ? '/postmortems/action-items' : '/postmortems';
  return (
    <Tabs value={value} onChange={(v) => v && navigate(`${v}${location.search}`)} mb="md">
      <Tabs.List>
        <Tabs.Tab value="/postmortems" fz="md">
          Postmortems
        </Tabs.Tab>
        <Tabs.Tab value="/postmortems/action-items" fz="md">
          Open action items
        </Tabs.Tab>
      </Tabs.List>
    </Tabs>
  );
}

/**
 * The due time stored for a due date picked as a calendar day: 09:00 that day in the viewer's
 * time zone (a reminder during working hours, and the same calendar day in UTC for most zones, as
 * the Markdown export writes it). Null for an unreadable date.
 */
export function dueTimeOf(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 9, 0, 0, 0);
  return Number.isNaN(t.getTime()) || t.getDate() !== Number(m[3]) ? null : t.getTime();
}

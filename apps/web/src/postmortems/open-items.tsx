import { Alert, Anchor, Card, Select, Stack, Text } from '@mantine/core';
import { Link, useSearchParams } from 'react-router-dom';
import { errorMessage } from '../api/client.ts';
import { isOverdue, useOpenActionItems, type ActionItemState, type OpenActionItem } from '../api/postmortems.ts';
import { useTeams } from '../api/queries.ts';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { OwnerAndDue, PostmortemTabs } from './common.tsx';
import { ITEM_STATE_OPTIONS, useItemState } from './item-state.ts';

function OpenItem({ item, now, canEdit }: { item: OpenActionItem; now: number; canEdit: boolean }) {
  const m = useItemState();
  const overdue = isOverdue(item, now);
  return (
    <Card
      withBorder
      radius="md"
      p="md"
      data-testid="open-action-item"
      data-overdue={overdue ? 'true' : 'false'}
      style={overdue ? { borderColor: 'var(--mantine-color-red-6)', borderWidth: 2 } : undefined}
    >
      <Stack gap={6}>
        <Text fw={700} style={{ wordBreak: 'break-word' }}>
          {item.title}
        </Text>
        <OwnerAndDue ownerName={item.ownerName} item={item} now={now} />
        <Anchor component={Link} to={`/postmortems/${item.postmortemId}`} size="sm" style={{ wordBreak: 'break-word' }}>
          {item.postmortemTitle}
        </Anchor>
        {canEdit && (
          <Select
            aria-label={`State of ${item.title}`}
            data={ITEM_STATE_OPTIONS}
            value={item.state}
            onChange={(v) => v && v !== item.state && m.mutate({ id: item.id, state: v as ActionItemState })}
            allowDeselect={false}
            disabled={m.isPending}
            w={{ base: '100%', xs: 180 }}
            data-testid="open-item-state"
          />
        )}
        {m.error && (
          <Text c="red" size="sm" role="alert">
            {errorMessage(m.error)}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** Open action items (open or in progress) of a team, soonest due first; overdue ones stand out. */
export default function OpenActionItems() {
  const perms = usePermissions();
  const [params, setParams] = useSearchParams();
  const team = params.get('team') ?? '';
  const teams = useTeams();
  const q = useOpenActionItems(team);
  const now = Date.now();
  const overdue = (q.data ?? []).filter((i) => isOverdue(i, now)).length;
  return (
    <>
      <PageHeader title="Open action items" />
      <PostmortemTabs />
      <Select
        label="Team"
        placeholder="All teams"
        data={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
        value={team || null}
        onChange={(v) => setParams(v ? { team: v } : {}, { replace: true })}
        clearable
        w={{ base: '100%', xs: 260 }}
        mb="md"
        data-testid="action-items-team"
      />
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {overdue > 0 && (
          <Alert color="red" variant="light" mb="md" data-testid="overdue-count">
            {overdue} overdue action item{overdue === 1 ? '' : 's'}
          </Alert>
        )}
        {q.data?.length === 0 && <Text c="dimmed">No open action items{team ? ' for this team' : ''}.</Text>}
        <Stack gap="xs">
          {q.data?.map((i) => (
            <OpenItem key={i.id} item={i} now={now} canEdit={perms.can('respond', i.teamId)} />
          ))}
        </Stack>
      </QueryState>
    </>
  );
}

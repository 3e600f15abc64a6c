import { Anchor, Badge, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { AuditEntry, AuditQuery } from '@klaxon/contract';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { dateTime } from '../lib/time.ts';
import { useViewerZone } from '../lib/zone.tsx';
import { QueryState } from './bits.tsx';

/** The fields of a before/after pair that changed, each as [field, before, after]. */
export function changedFields(before: unknown, after: unknown): [string, string, string][] {
  const b = before && typeof before === 'object' ? (before as Record<string, unknown>) : {};
  const a = after && typeof after === 'object' ? (after as Record<string, unknown>) : {};
  const out: [string, string, string][] = [];
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (k === 'updatedAt' || k === 'createdAt') continue;
    const bs = JSON.stringify(b[k]) ?? '—';
    const as = JSON.stringify(a[k]) ?? '—';
    if (bs !== as) out.push([k, bs, as]);
  }
  return out;
}

const short = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}…` : s);

/** One audit entry: who, when, from where, what, and what changed. */
function Entry({ e }: { e: AuditEntry }) {
  const zone = useViewerZone().zone;
  const changes = e.before !== null || e.after !== null ? changedFields(e.before, e.after) : [];
  return (
    <Paper withBorder p="sm" radius="md" data-testid="audit-entry">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Text fw={700} size="sm" data-testid="audit-who">
          {e.actor.name}
          {e.actor.type === 'anonymous' ? ' (not signed in)' : ''}
        </Text>
        <Text size="xs" c="dimmed" data-testid="audit-when">
          {dateTime(e.at, zone)}
        </Text>
      </Group>
      <Group gap={6} mt={4} wrap="wrap">
        <Badge variant="light" data-testid="audit-action">
          {e.action}
        </Badge>
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {e.subject.type} {e.subject.id}
          {e.via ? ` · via ${e.via}` : ''}
          {e.address ? ` · from ${e.address}` : ''}
        </Text>
      </Group>
      {changes.length > 0 && (
        <Stack gap={2} mt={6} data-testid="audit-changes">
          {changes.map(([k, b, a]) => (
            <Text key={k} size="xs" style={{ overflowWrap: 'anywhere' }}>
              <b>{k}</b>: <Code>{short(b)}</Code> → <Code>{short(a)}</Code>
            </Text>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

/** The audit trail for a query, newest first, with "Load more" (cursor paging). */
export function AuditEntries({ query }: { query: Omit<AuditQuery, 'cursor'> }) {
  const q = useInfiniteQuery({
    queryKey: keys.auditList(query),
    queryFn: ({ pageParam }) => api.audit.list({ ...query, limit: query.limit ?? 50, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = q.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
      <Stack gap="xs">
        {entries.length === 0 && (
          <Text size="sm" c="dimmed">
            Nothing recorded.
          </Text>
        )}
        {entries.map((e) => (
          <Entry key={e.id} e={e} />
        ))}
        {q.hasNextPage && (
          <Button variant="light" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage} mih={44} data-testid="audit-more">
            Load more
          </Button>
        )}
      </Stack>
    </QueryState>
  );
}

/** "Who changed this?": the history of one object, folded until opened. */
export function ObjectHistory({ subjectType, subjectId, title }: { subjectType: string; subjectId: string; title: string }) {
  const [open, setOpen] = useState(false);
  return (
    <Paper withBorder p="md" radius="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={2} fz="lg">
          {title}
        </Title>
        <Group gap="xs">
          <Button variant="light" mih={44} onClick={() => setOpen((o) => !o)} data-testid="history-toggle">
            {open ? 'Hide' : 'Who changed this?'}
          </Button>
          <Anchor href={`/admin/audit?subjectType=${encodeURIComponent(subjectType)}&subjectId=${encodeURIComponent(subjectId)}`} size="sm">
            In the audit trail
          </Anchor>
        </Group>
      </Group>
      {open && (
        <Stack mt="sm" data-testid="object-history">
          <AuditEntries query={{ subjectType, subjectId, limit: 20 }} />
        </Stack>
      )}
    </Paper>
  );
}

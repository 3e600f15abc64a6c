import { Button, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import type { AuditQuery } from '@klaxon/contract';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { AuditEntries } from '../components/audit.tsx';
import { PageHeader } from '../components/bits.tsx';
import { fromLocalInput } from '../schedules/time.ts';
import { useViewerZone } from '../lib/zone.tsx';

const SUBJECT_TYPES = ['schedule', 'policy', 'service', 'integration', 'team', 'user', 'token', 'incident', 'auth', 'audit', 'contact_method', 'status_page', 'warroom', 'heartbeat'];

/** The audit trail (admins): who changed what, when, from where; filters, paging and export. */
export default function AdminAudit() {
  const [params, setParams] = useSearchParams();
  const zone = useViewerZone().zone;
  const [draft, setDraft] = useState(() => ({
    actor: params.get('actor') ?? '',
    action: params.get('action') ?? '',
    subjectType: params.get('subjectType') ?? '',
    subjectId: params.get('subjectId') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  }));
  const query = useMemo(() => {
    const q: Omit<AuditQuery, 'cursor'> = {};
    for (const k of ['actor', 'action', 'subjectType', 'subjectId'] as const) {
      const v = params.get(k);
      if (v) q[k] = v;
    }
    for (const k of ['from', 'to'] as const) {
      const v = params.get(k);
      if (v) q[k] = fromLocalInput(v, zone);
    }
    return q;
  }, [params, zone]);
  const apply = () => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(draft)) if (v.trim()) next.set(k, v.trim());
    setParams(next);
  };
  return (
    <>
      <PageHeader title="Audit trail" />
      <Stack gap="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            <TextInput label="Who (email or id)" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.currentTarget.value })} data-testid="audit-filter-actor" />
            <TextInput label="Action (or prefix ending in .)" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })} data-testid="audit-filter-action" />
            <Select
              label="Kind of object"
              clearable
              data={SUBJECT_TYPES}
              value={draft.subjectType || null}
              onChange={(v) => setDraft({ ...draft, subjectType: v ?? '' })}
              data-testid="audit-filter-type"
            />
            <TextInput label="Object id" value={draft.subjectId} onChange={(e) => setDraft({ ...draft, subjectId: e.currentTarget.value })} data-testid="audit-filter-id" />
            <TextInput type="datetime-local" label="From" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
            <TextInput type="datetime-local" label="To" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />
          </SimpleGrid>
          <Group mt="sm" gap="xs">
            <Button type="submit" mih={44} data-testid="audit-apply">
              Show
            </Button>
            <Button component="a" variant="light" mih={44} href={api.audit.exportUrl(query, 'csv')} data-testid="audit-export-csv">
              Export CSV
            </Button>
            <Button component="a" variant="subtle" mih={44} href={api.audit.exportUrl(query, 'json')}>
              Export JSON
            </Button>
          </Group>
        </form>
        <Text size="xs" c="dimmed">
          Newest first. Configuration changes show what changed, before → after.
        </Text>
        <AuditEntries query={query} />
      </Stack>
    </>
  );
}

import { ActionIcon, Button, Code, Group, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { request } from '../api/client.ts';
import { useTeams, useUsers } from '../api/queries.ts';
import { reportsApi, useSubscribers } from '../api/reports.ts';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useSession } from '../session.tsx';
import { DataTable, Section } from './common.tsx';
import type { ReportFilters } from './filters.ts';
import { keys } from '../api/keys.ts';

/** A team's weekly summary: who gets it by email (view, add, remove) and last week's text. */
export function WeeklySummary({ filters, setTeam }: { filters: ReportFilters; setTeam: (team: string) => void }) {
  const teams = useTeams();
  const team = filters.team || teams.data?.[0]?.id || '';
  const subs = useSubscribers(team || null);
  const users = useUsers();
  const { user, isAdmin } = useSession();
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [who, setWho] = useState<string | null>(null);
  const summary = useQuery({
    queryKey: keys.reports.report('weekly-summary', { team }),
    queryFn: () => request<{ text: string }>('GET', '/reports/weekly-summary', { query: { team } }),
    enabled: !!team,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: keys.reports.subscribers(team) });
  const add = useMutation({ mutationFn: (userId: string) => reportsApi.subscribe(team, userId), onSuccess: () => (setWho(null), refresh()), onError: errors.set });
  const remove = useMutation({ mutationFn: (userId: string) => reportsApi.unsubscribe(team, userId), onSuccess: refresh, onError: errors.set });
  const subscribed = new Set((subs.data ?? []).map((s) => s.id));
  const candidates = (users.data ?? []).filter((u) => !subscribed.has(u.id) && (isAdmin || u.id === user.id));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (!who) return errors.setField('userId', 'Pick a person');
    add.mutate(who);
  };
  if (teams.data && !teams.data.length) return <Text c="dimmed">No teams yet: weekly summaries are sent per team.</Text>;
  return (
    <>
      <Section title="Weekly summary subscribers" testId="subscribers">
        <Stack gap="sm">
          <Select
            label="Team"
            data={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
            value={team || null}
            onChange={(v) => v && setTeam(v)}
            w={240}
            allowDeselect={false}
            data-testid="summary-team"
          />
          <Text size="sm" c="dimmed">
            Every Monday from 08:00 UTC each subscriber gets last week's summary by email.
          </Text>
          <QueryState isPending={subs.isPending && !!team} error={subs.error} retry={() => void subs.refetch()}>
            <DataTable
              testId="subscribers-table"
              empty="Nobody gets this team's summary yet."
              head={['Name', 'Email', '']}
              rows={(subs.data ?? []).map((s) => [
                s.name,
                s.email,
                isAdmin || s.id === user.id ? (
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Unsubscribe ${s.name}`}
                    onClick={() => (errors.clear(), remove.mutate(s.id))}
                    loading={remove.isPending && remove.variables === s.id}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                ) : null,
              ])}
            />
          </QueryState>
          <form onSubmit={submit} noValidate>
            <Group align="flex-end" gap="sm">
              <Select
                label="Add a subscriber"
                placeholder="Person"
                data={candidates.map((u) => ({ value: u.id, label: u.id === user.id ? `${u.name} (me)` : u.name }))}
                value={who}
                onChange={setWho}
                error={errors.field('userId')}
                searchable
                w={240}
                data-testid="subscriber-user"
              />
              <Button type="submit" loading={add.isPending} data-testid="subscriber-add">
                Subscribe
              </Button>
            </Group>
          </form>
          <FormAlert message={errors.message} />
        </Stack>
      </Section>
      <Section title="Last week's summary" testId="summary-text">
        <QueryState isPending={summary.isPending && !!team} error={summary.error} retry={() => void summary.refetch()}>
          <Code block style={{ whiteSpace: 'pre-wrap' }}>
            {summary.data?.text ?? ''}
          </Code>
        </QueryState>
      </Section>
    </>
  );
}

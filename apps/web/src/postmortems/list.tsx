import { Card, Group, Select, Stack, Text } from '@mantine/core';
import { Segmented } from '../components/segmented.tsx';
import { Link, useSearchParams } from 'react-router-dom';
import { POSTMORTEM_STATES, stateLabel, usePostmortems, type PostmortemState } from '../api/postmortems.ts';
import { useTeams } from '../api/queries.ts';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { useViewerZone } from '../lib/zone.tsx';
import { PostmortemTabs, StateBadge } from './common.tsx';

/** Postmortems, newest first, filtered by team and review state (kept in the address). */
export default function PostmortemList() {
  const zone = useViewerZone();
  const [params, setParams] = useSearchParams();
  const team = params.get('team') ?? '';
  const state = params.get('state') ?? '';
  const teams = useTeams();
  const q = usePostmortems({ team: team || undefined, state: state || undefined });
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const teamName = (id: string | null) => (id ? (teams.data?.find((t) => t.id === id)?.name ?? '') : '');
  return (
    <>
      <PageHeader title="Postmortems" />
      <PostmortemTabs />
      <Group gap="sm" mb="md" align="flex-end" wrap="wrap">
        <Select
          label="Team"
          placeholder="All teams"
          data={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
          value={team || null}
          onChange={(v) => set('team', v ?? '')}
          clearable
          w={{ base: '100%', xs: 220 }}
          data-testid="postmortem-team-filter"
        />
        <Segmented
          aria-label="State"
          data={[{ value: '', label: 'All' }, ...POSTMORTEM_STATES.map((s: PostmortemState) => ({ value: s, label: stateLabel(s) }))]}
          value={state}
          onChange={(v) => set('state', v)}
          data-testid="postmortem-state-filter"
        />
      </Group>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && (
          <Text c="dimmed" data-testid="postmortems-empty">
            {team || state ? 'No postmortems match these filters.' : 'No postmortems yet. Open a resolved incident and press Postmortem to draft one from its timeline.'}
          </Text>
        )}
        <Stack gap="xs">
          {q.data?.map((p) => (
            <Card key={p.id} withBorder radius="md" p="md" component={Link} to={`/postmortems/${p.id}`} data-testid="postmortem-card">
              <Group justify="space-between" wrap="nowrap" align="flex-start" gap="sm">
                <Text fw={700} style={{ wordBreak: 'break-word' }}>
                  {p.title}
                </Text>
                <StateBadge state={p.state} size="sm" />
              </Group>
              <Text size="sm" c="dimmed" mt={4}>
                {[teamName(p.teamId), `created ${zone.dateTime(p.createdAt)}`, p.publishedAt ? `published ${zone.dateTime(p.publishedAt)}` : ''].filter(Boolean).join(' · ')}
              </Text>
            </Card>
          ))}
        </Stack>
      </QueryState>
    </>
  );
}

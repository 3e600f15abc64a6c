import { Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { usePolicies, useSchedules, useServices, useTeams, useUsers } from '../api/queries.ts';
import type { Target } from '@klaxon/contract';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { useSession } from '../session.tsx';

/** A target's name for people. */
export function useTargetName(): (t: Target) => string {
  const users = useUsers().data ?? [];
  const teams = useTeams().data ?? [];
  const schedules = useSchedules().data ?? [];
  return (t) => {
    if (t.type === 'user') return users.find((u) => u.id === t.id)?.name ?? 'unknown user';
    if (t.type === 'team') return `team ${teams.find((x) => x.id === t.id)?.name ?? 'unknown'}`;
    const s = schedules.find((x) => x.id === t.id)?.name ?? t.id;
    return t.type === 'schedule' ? `on call for ${s}` : `next on-call for ${s}`;
  };
}

/** Every escalation policy, with its levels in one line each and the services that use it. */
export default function Policies() {
  const { isAdmin } = useSession();
  const q = usePolicies();
  const services = useServices().data ?? [];
  const name = useTargetName();
  return (
    <>
      <PageHeader title="Escalation policies">
        {isAdmin && (
          <Button component={Link} to="/escalation-policies/new" leftSection={<IconPlus size={18} />}>
            New policy
          </Button>
        )}
      </PageHeader>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No escalation policies yet. A service without one pages nobody.</Text>}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {q.data?.map((p) => {
            const used = services.filter((s) => s.escalationPolicyId === p.id);
            return (
              <Card key={p.id} withBorder radius="md" component={Link} to={`/escalation-policies/${p.id}`} data-testid="policy-card">
                <Stack gap={6}>
                  <Text fw={700} fz="lg">
                    {p.name}
                  </Text>
                  {p.levels.map((l, i) => (
                    <Text key={i} size="sm">
                      <b>{i + 1}.</b> {l.targets.map(name).join(', ')}{' '}
                      <Text span c="dimmed">
                        · then {l.delayMinutes} min
                      </Text>
                    </Text>
                  ))}
                  <Group gap="xs">
                    <Text size="sm" c="dimmed">
                      {p.repeat ? `Repeats ${p.repeat}×` : 'No repeat'} · {used.length ? `used by ${used.map((s) => s.name).join(', ')}` : 'not used by any service'}
                    </Text>
                  </Group>
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      </QueryState>
    </>
  );
}

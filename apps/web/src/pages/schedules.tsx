import { Badge, Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys, useSchedules, useTeams } from '../api/queries.ts';
import type { OnCallAnswer, ScheduleUser } from '@klaxon/contract';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { dateTime } from '../lib/time.ts';
import { useSession } from '../session.tsx';
import { usePermissions } from '../lib/permissions.ts';

const names = (us: ScheduleUser[]) => us.map((u) => u.name).join(', ');

/** Every schedule with who is on call now, until when, and who is next. */
export default function Schedules() {
  const { user } = useSession();
  const isAdmin = usePermissions().managesSomething;
  const q = useSchedules();
  const teams = useTeams().data ?? [];
  const oncall = useQuery({ queryKey: keys.oncall, queryFn: () => api.schedules.onCallAll() });
  const byId = new Map<string, OnCallAnswer>((oncall.data ?? []).map((o) => [o.scheduleId, o]));
  return (
    <>
      <PageHeader title="Schedules">
        {isAdmin && (
          <Button component={Link} to="/schedules/new" leftSection={<IconPlus size={18} />} data-testid="new-schedule">
            New schedule
          </Button>
        )}
      </PageHeader>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No schedules yet. Escalation policies can page whoever a schedule has on call.</Text>}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {q.data?.map((s) => {
            const o = byId.get(s.id);
            const team = teams.find((t) => t.id === s.teamId);
            return (
              <Card key={s.id} withBorder radius="md" component={Link} to={`/schedules/${s.id}`} data-testid="schedule-card">
                <Stack gap={6}>
                  <Group justify="space-between" wrap="nowrap">
                    <Text fw={700} fz="lg" truncate>
                      {s.name}
                    </Text>
                    {o && o.users.length === 0 && (
                      <Badge color="red" variant="filled">
                        Gap now
                      </Badge>
                    )}
                  </Group>
                  <Text size="sm" c="dimmed">
                    {s.timeZone} · {s.layers.length} layer{s.layers.length === 1 ? '' : 's'}
                    {team ? ` · ${team.name}` : ''}
                  </Text>
                  {!o ? (
                    <Text size="sm" c="dimmed">
                      {oncall.isPending ? 'Reading who is on call…' : ''}
                    </Text>
                  ) : (
                    <>
                      <Text size="sm" data-testid="oncall-now">
                        <Text span c="dimmed">
                          Now:{' '}
                        </Text>
                        {o.users.length ? (
                          <b>{names(o.users)}</b>
                        ) : (
                          <Text span c="red" fw={700}>
                            nobody
                          </Text>
                        )}
                        {o.until && (
                          <Text span c="dimmed">
                            {' '}
                            until {dateTime(o.until, user.timeZone)}
                          </Text>
                        )}
                      </Text>
                      <Text size="sm" data-testid="oncall-next">
                        <Text span c="dimmed">
                          Next:{' '}
                        </Text>
                        {o.next.length ? (
                          names(o.next)
                        ) : (
                          <Text span c="dimmed">
                            nobody
                          </Text>
                        )}
                      </Text>
                    </>
                  )}
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      </QueryState>
    </>
  );
}

import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconPhoneCall } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { ago } from '../lib/time.ts';
import { useViewerZone } from '../lib/zone.tsx';
import { useSession } from '../session.tsx';

/** Internal status ("where to go"): the major incidents running now, for everyone signed in. */
export default function InternalStatus() {
  const zone = useViewerZone();
  const q = useQuery({ queryKey: keys.internalStatus, queryFn: api.status.internal });
  const { isAdmin } = useSession();
  return (
    <div data-testid="internal-status">
      <PageHeader title="Major incidents now">
        <Button component={Link} to={isAdmin ? '/status-admin/pages' : '/status-admin/subscriptions'} variant="light" data-testid="manage-status">
          {isAdmin ? 'Status pages and subscriptions' : 'My subscriptions'}
        </Button>
      </PageHeader>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && (
          <Card withBorder radius="md" p="lg">
            <Text fw={600}>No major incidents right now.</Text>
          </Card>
        )}
        <Stack gap="md">
          {(q.data ?? []).map((i) => (
            <Card key={i.id} withBorder radius="md" p="md" data-testid="major-incident" data-number={i.number}>
              <Stack gap="xs">
                <Group gap="xs">
                  {i.sev && <Badge color="red">{i.sev}</Badge>}
                  <Badge variant="light" color={i.status === 'triggered' ? 'red' : i.status === 'acknowledged' ? 'yellow' : 'green'}>
                    {i.status}
                  </Badge>
                  <Text c="dimmed">#{i.number}</Text>
                </Group>
                <Title order={3} fz={{ base: 18, sm: 22 }} style={{ wordBreak: 'break-word' }}>
                  {i.title}
                </Title>
                <Text fw={600} data-testid="status-im">
                  Incident manager: {i.incidentManager?.name ?? 'nobody yet'}
                </Text>
                {i.businessServices.length > 0 && (
                  <Group gap={6}>
                    <Text size="sm" c="dimmed">
                      Affects
                    </Text>
                    {i.businessServices.map((b) => (
                      <Badge key={b.id} variant="outline" color="orange">
                        {b.name}
                      </Badge>
                    ))}
                  </Group>
                )}
                {i.latestUpdate ? (
                  <Card withBorder radius="sm" p="sm" data-testid="latest-update">
                    <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                      {i.latestUpdate.phase} · {ago(i.latestUpdate.at)}
                    </Text>
                    <Text style={{ whiteSpace: 'pre-wrap' }}>{i.latestUpdate.message}</Text>
                    {i.latestUpdate.businessImpact && (
                      <Text size="sm" c="dimmed">
                        Impact: {i.latestUpdate.businessImpact}
                      </Text>
                    )}
                  </Card>
                ) : (
                  <Text size="sm" c="dimmed">
                    No status update yet.
                  </Text>
                )}
                {i.nextUpdateAt && (
                  <Text size="sm" c={i.nextUpdateAt < Date.now() ? 'red' : 'dimmed'}>
                    Next update {i.nextUpdateAt < Date.now() ? 'overdue since' : 'by'} {zone.dateTime(i.nextUpdateAt)}
                  </Text>
                )}
                <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
                  <Button component={Link} to={`/incidents/${i.number}`} variant="light" size="md" data-testid="go-war-room">
                    War room
                  </Button>
                  {i.bridgeUrl && (
                    <Button component="a" href={i.bridgeUrl} target="_blank" rel="noreferrer" color="teal" size="md" leftSection={<IconPhoneCall size={18} />}>
                      Join bridge
                    </Button>
                  )}
                </SimpleGrid>
              </Stack>
            </Card>
          ))}
        </Stack>
      </QueryState>
    </div>
  );
}

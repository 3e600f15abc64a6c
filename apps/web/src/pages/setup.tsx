import { Alert, Badge, Button, Card, Code, Group, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconAlertTriangle, IconArrowRight, IconCheck } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { setupApi, type ChannelStatus, type ChecklistStep } from '../api/setup.ts';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { CHANNEL_LABEL } from '../escalation/preview.ts';
import { keys } from '../api/keys.ts';

function ChannelCard({ c }: { c: ChannelStatus }) {
  return (
    <Card withBorder radius="md" p="sm" data-testid="channel" data-channel={c.channel} data-configured={c.configured}>
      <Group justify="space-between" wrap="nowrap">
        <Text fw={700}>{CHANNEL_LABEL[c.channel]}</Text>
        <Badge color={c.configured ? 'green' : 'orange'} variant="light">
          {c.configured ? 'configured' : 'not configured'}
        </Badge>
      </Group>
      {!c.configured && (
        <Text size="xs" c="dimmed" mt={6} style={{ wordBreak: 'break-word' }}>
          Set{' '}
          {c.settings.map((k, i) => (
            <span key={k}>
              {i > 0 && ', '}
              <Code>{k}</Code>
            </span>
          ))}{' '}
          and restart Klaxon.
        </Text>
      )}
    </Card>
  );
}

function StepCard({ s, n }: { s: ChecklistStep; n: number }) {
  const here = s.link.startsWith('/setup');
  return (
    <Card withBorder radius="md" p="md" data-testid="setup-step" data-step={s.id} data-done={s.done}>
      <Group wrap="nowrap" align="flex-start" gap="md">
        <ThemeIcon size={34} radius="xl" color={s.done ? 'green' : 'orange'} variant={s.done ? 'filled' : 'light'}>
          {s.done ? <IconCheck size={20} /> : <Text fw={800}>{n}</Text>}
        </ThemeIcon>
        <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
          <Text fw={700}>{s.title}</Text>
          <Text size="sm" c={s.done ? 'dimmed' : undefined} style={{ wordBreak: 'break-word' }}>
            {s.detail}
          </Text>
          {!here && (
            <Button component={Link} to={s.link} variant={s.done ? 'subtle' : 'light'} size="compact-md" rightSection={<IconArrowRight size={16} />} w="fit-content" mt={4} data-testid="step-link">
              {s.done ? 'Open' : 'Set it up'}
            </Button>
          )}
        </Stack>
      </Group>
    </Card>
  );
}

/**
 * The setup checklist: what a new installation still lacks before it pages anybody, read from the
 * server's current state (GET /api/v1/setup/checklist). First-run setup lands here.
 */
export default function SetupPage() {
  const q = useQuery({ queryKey: keys.setup.checklist, queryFn: setupApi.checklist, staleTime: 0 });
  const c = q.data;
  const left = c?.steps.filter((s) => !s.done).length ?? 0;
  return (
    <>
      <PageHeader title="Setup checklist" />
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {c && (
          <Stack gap="lg" data-testid="setup-checklist" data-done={c.done}>
            {c.done ? (
              <Alert color="green" variant="light" icon={<IconCheck size={18} />} title="Klaxon pages someone">
                Every step is done: an alert on a service with a policy reaches a person on call now.
              </Alert>
            ) : (
              <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title={`${left} step${left === 1 ? '' : 's'} left: some alerts page nobody yet`}>
                Until every step is done, an alert can open an incident that nobody is told about.
              </Alert>
            )}
            <Stack gap="sm">
              {c.steps.map((s, i) => (
                <StepCard key={s.id} s={s} n={i + 1} />
              ))}
            </Stack>
            <Stack gap="xs" id="channels">
              <Title order={3} fz="lg">
                Channels
              </Title>
              <Text size="sm" c="dimmed">
                What this server can page through. Channels are configured with environment variables (docs/configuration.md).
              </Text>
              <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm">
                {c.channels.map((ch) => (
                  <ChannelCard key={ch.channel} c={ch} />
                ))}
              </SimpleGrid>
            </Stack>
          </Stack>
        )}
      </QueryState>
    </>
  );
}

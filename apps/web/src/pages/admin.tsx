import { Card, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconChecklist, IconFilter, IconHistory, IconTransfer, IconUsersPlus } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { Link } from 'react-router-dom';
import { PageHeader } from '../components/bits.tsx';

const ENTRIES: { to: string; title: string; text: string; icon: ComponentType<{ size?: number }>; testId: string }[] = [
  { to: '/setup', title: 'Setup checklist', text: 'Channels, reachable people, who is on call now, and which services page nobody.', icon: IconChecklist, testId: 'admin-setup' },
  {
    to: '/admin/event-rules',
    title: 'Event rules',
    text: 'Route, suppress, drop or pause alerts by conditions on their fields, in order; test a payload.',
    icon: IconFilter,
    testId: 'admin-event-rules',
  },
  { to: '/admin/audit', title: 'Audit trail', text: 'Who changed what and when, from where: sign-ins, tokens, roles, configuration before and after.', icon: IconHistory, testId: 'admin-audit' },
  {
    to: '/admin/provisioning',
    title: 'Provisioning',
    text: 'SCIM from your identity provider: its address, and its token (create, rotate, revoke; shown once).',
    icon: IconUsersPlus,
    testId: 'admin-provisioning',
  },
  { to: '/admin/migration', title: 'Migration', text: 'The last import’s report and the last comparison with the old tool, differences highlighted.', icon: IconTransfer, testId: 'admin-migration' },
];

/** The admin area: links to the screens only administrators need. */
export default function AdminPage() {
  return (
    <>
      <PageHeader title="Admin" />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {ENTRIES.map((e) => (
          <Card key={e.to} withBorder radius="md" p="md" component={Link} to={e.to} data-testid={e.testId}>
            <Stack gap={6}>
              <e.icon size={26} />
              <Text fw={700} fz="lg">
                {e.title}
              </Text>
              <Text size="sm" c="dimmed">
                {e.text}
              </Text>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </>
  );
}

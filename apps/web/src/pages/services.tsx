import { Button, Card, Group, Modal, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys, usePolicies, useServices, useTeams } from '../api/queries.ts';
import { FormAlert, PageHeader, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useSession } from '../session.tsx';

function NewService({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const errors = useFormErrors();
  const [v, setV] = useState({ name: '', description: '' });
  const m = useMutation({
    mutationFn: () => api.services.create({ name: v.name.trim(), description: v.description }),
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: keys.services });
      onClose();
      navigate(`/services/${s.id}?new=1`);
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    m.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title="New service" fullScreen={useMediaQuery('(max-width: 600px)')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Name" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} required data-autofocus name="name" />
          <Textarea label="Description" autosize minRows={2} value={v.description} onChange={(e) => setV({ ...v, description: e.currentTarget.value })} error={errors.field('description')} />
          <FormAlert message={errors.message} />
          <Button type="submit" loading={m.isPending}>
            Create service
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

/** Every service, with who it pages. */
export default function Services() {
  const { isAdmin } = useSession();
  const q = useServices();
  const policies = usePolicies().data ?? [];
  const teams = useTeams().data ?? [];
  const [creating, c] = useDisclosure(false);
  return (
    <>
      <PageHeader title="Services">
        {isAdmin && (
          <Button leftSection={<IconPlus size={18} />} onClick={c.open}>
            New service
          </Button>
        )}
      </PageHeader>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No services yet. A service receives alerts through its integrations and pages through its escalation policy.</Text>}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {q.data?.map((s) => {
            const policy = policies.find((p) => p.id === s.escalationPolicyId);
            const team = teams.find((t) => t.id === s.teamId);
            return (
              <Card key={s.id} withBorder radius="md" component={Link} to={`/services/${s.id}`} data-testid="service-card">
                <Stack gap={4}>
                  <Text fw={700} fz="lg">
                    {s.name}
                  </Text>
                  {s.description && (
                    <Text size="sm" c="dimmed" lineClamp={2}>
                      {s.description}
                    </Text>
                  )}
                  <Group gap="xs">
                    <Text size="sm" c={policy ? undefined : 'red'}>
                      {policy ? `Pages via ${policy.name}` : 'No escalation policy: pages nobody'}
                    </Text>
                  </Group>
                  {team && (
                    <Text size="sm" c="dimmed">
                      Team {team.name}
                    </Text>
                  )}
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      </QueryState>
      <NewService opened={creating} onClose={c.close} />
    </>
  );
}

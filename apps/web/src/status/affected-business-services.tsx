import { Badge, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { statusApi } from '../api/status.ts';
import { keys } from '../api/keys.ts';

/** The business services an incident affects (through its service and its impact), as badges; nothing when none. */
export function AffectedBusinessServices({ incidentId }: { incidentId: string }) {
  const q = useQuery({ queryKey: keys.status.incidentBusinessServices(incidentId), queryFn: () => statusApi.incidentBusinessServices(incidentId), staleTime: 30_000 });
  if (!q.data?.length) return null;
  return (
    <Group gap={6} data-testid="affected-business-services">
      <Text size="sm" c="dimmed">
        Affects
      </Text>
      {q.data.map((b) => (
        <Badge key={b.id} variant="outline" color="orange" tt="none" title={b.description || undefined}>
          {b.name}
        </Badge>
      ))}
    </Group>
  );
}

import { Alert, Anchor } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconAlertTriangle } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { setupApi } from '../api/setup.ts';
import { useSession } from '../session.tsx';
import { keys } from '../api/keys.ts';

/** For admins, while the setup checklist has steps left: a line saying some alerts page nobody, linking to it. */
export function SetupBanner() {
  const { isAdmin } = useSession();
  const q = useQuery({ queryKey: keys.setup.checklist, queryFn: setupApi.checklist, enabled: isAdmin, staleTime: 60_000 });
  if (!isAdmin || !q.data || q.data.done) return null;
  const left = q.data.steps.filter((s) => !s.done).length;
  return (
    <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} mb="md" data-testid="setup-banner">
      Setup is not finished ({left} step{left === 1 ? '' : 's'} left): some alerts page nobody.{' '}
      <Anchor component={Link} to="/setup" fw={700}>
        Open the setup checklist
      </Anchor>
    </Alert>
  );
}

import { Tabs } from '@mantine/core';
import { useLocation, useNavigate } from 'react-router-dom';

/** Tabs across the people screens: me, users, teams. */
export function PeopleTabs() {
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <Tabs value={location.pathname} onChange={(v) => v && navigate(v)} mb="lg">
      <Tabs.List>
        <Tabs.Tab value="/people/me" fz="md">
          Me
        </Tabs.Tab>
        <Tabs.Tab value="/people/users" fz="md">
          Users
        </Tabs.Tab>
        <Tabs.Tab value="/people/teams" fz="md">
          Teams
        </Tabs.Tab>
      </Tabs.List>
    </Tabs>
  );
}

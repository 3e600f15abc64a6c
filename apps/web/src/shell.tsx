import { ActionIcon, AppShell, Avatar, Box, Group, Kbd, Menu, Modal, NavLink, Stack, Table, Text, Tooltip, UnstyledButton, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { useDisclosure, useHotkeys } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import {
  IconAlertOctagon,
  IconBell,
  IconBroadcast,
  IconCalendarTime,
  IconChartBar,
  IconChecklist,
  IconDeviceDesktop,
  IconKeyboard,
  IconLogout,
  IconMoon,
  IconServer,
  IconSettings,
  IconSitemap,
  IconSun,
  IconUsers,
} from '@tabler/icons-react';
import { useEffect, useState, type ComponentType, type ReactNode } from 'react';
import { Link, NavLink as RouterNavLink, useLocation } from 'react-router-dom';
import { usePhone } from './lib/phone.ts';
import { liveConnection, type LiveStatus } from './live/live.ts';
import { useSession } from './session.tsx';

/** A navigation entry. */
interface NavItem {
  to: string;
  label: string;
  short: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
}

/** The app's sections, in order. Future screens (war room lives inside an incident) add entries here. */
export const NAV: NavItem[] = [
  { to: '/incidents', label: 'Incidents', short: 'Incidents', icon: IconAlertOctagon },
  { to: '/services', label: 'Services', short: 'Services', icon: IconServer },
  { to: '/escalation-policies', label: 'Escalation policies', short: 'Policies', icon: IconSitemap },
  { to: '/internal-status', label: 'Status', short: 'Status', icon: IconBroadcast },
  { to: '/schedules', label: 'Schedules', short: 'Schedules', icon: IconCalendarTime },
  { to: '/reports', label: 'Reports', short: 'Reports', icon: IconChartBar },
  { to: '/people/me', label: 'People', short: 'People', icon: IconUsers },
];

function LiveDot() {
  const qc = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    const live = liveConnection(qc);
    const off = live.onStatus(setStatus);
    live.start();
    setStatus(live.status);
    return () => {
      off();
    };
  }, [qc]);
  const label = status === 'open' ? 'Live: updates arrive as they happen' : status === 'connecting' ? 'Connecting for live updates…' : 'Offline: reconnecting';
  const color = status === 'open' ? 'var(--mantine-color-green-6)' : status === 'connecting' ? 'var(--mantine-color-yellow-6)' : 'var(--mantine-color-red-6)';
  return (
    <Tooltip label={label}>
      <Group gap={6} data-testid="live-status" data-status={status} role="status" aria-label={label}>
        <span style={{ width: 10, height: 10, borderRadius: 5, background: color, display: 'inline-block' }} />
        <Text size="xs" c="dimmed" visibleFrom="xs">
          {status === 'open' ? 'Live' : status === 'connecting' ? 'Connecting' : 'Offline'}
        </Text>
      </Group>
    </Tooltip>
  );
}

function ColorSchemeToggle() {
  const { setColorScheme, colorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('dark');
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" size="xl" aria-label="Colour scheme" data-testid="color-scheme">
          {computed === 'dark' ? <IconMoon size={22} /> : <IconSun size={22} />}
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconMoon size={16} />} onClick={() => setColorScheme('dark')} fw={colorScheme === 'dark' ? 700 : undefined}>
          Dark
        </Menu.Item>
        <Menu.Item leftSection={<IconSun size={16} />} onClick={() => setColorScheme('light')} fw={colorScheme === 'light' ? 700 : undefined}>
          Light
        </Menu.Item>
        <Menu.Item leftSection={<IconDeviceDesktop size={16} />} onClick={() => setColorScheme('auto')} fw={colorScheme === 'auto' ? 700 : undefined}>
          Follow the system
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

const SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous incident in the list'],
  ['Enter', 'Open the selected incident'],
  ['a', 'Acknowledge (selected or open incident)'],
  ['r', 'Resolve (selected or open incident)'],
  ['e', 'Escalate the open incident'],
  ['/', 'Search incidents'],
  ['?', 'This help'],
];

function ShortcutHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts">
      <Table>
        <Table.Tbody>
          {SHORTCUTS.map(([k, what]) => (
            <Table.Tr key={k}>
              <Table.Td>
                <Kbd>{k}</Kbd>
              </Table.Td>
              <Table.Td>{what}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();

function UserMenu() {
  const { user, signOut } = useSession();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={`${initials(user.name)}: account of ${user.name}`} data-testid="user-menu">
          <Avatar color="indigo" radius="xl" size={40}>
            {initials(user.name)}
          </Avatar>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {user.name} · {user.role}
        </Menu.Label>
        <Menu.Item component={Link} to="/people/me" leftSection={<IconBell size={16} />}>
          My contact methods
        </Menu.Item>
        <Menu.Item component={Link} to="/setup" leftSection={<IconChecklist size={16} />} data-testid="menu-setup">
          Setup checklist
        </Menu.Item>
        {user.role === 'admin' && (
          <Menu.Item component={Link} to="/admin" leftSection={<IconSettings size={16} />} data-testid="menu-admin">
            Admin
          </Menu.Item>
        )}
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void signOut()}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** The frame around every signed-in screen: header, side navigation on desktop, tab bar on a phone. */
export function Shell({ children }: { children: ReactNode }) {
  const items = NAV;
  const location = useLocation();
  const [help, helpControls] = useDisclosure(false);
  // The shortcut help is drawn from its first opening on (then kept, so it can animate closed), not on every first screen.
  const [helpShown, setHelpShown] = useState(false);
  if (help && !helpShown) setHelpShown(true);
  const phone = usePhone();
  // "?" is Shift+/ on a US keyboard, but the key the browser reports is "?": both names are bound.
  useHotkeys([
    ['shift+/', helpControls.open],
    ['shift+?', helpControls.open],
  ]);
  const active = (to: string) => location.pathname === to || location.pathname.startsWith(to.replace(/\/me$/, '') + '/') || (to === '/people/me' && location.pathname.startsWith('/people'));

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: true } }} padding="md">
      <a href="#main" className="klx-skip">
        Skip to main content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap={10} wrap="nowrap">
            <Link to="/incidents" style={{ display: 'flex', alignItems: 'center', gap: 8, color: 'inherit', textDecoration: 'none' }}>
              <img src="/icon.svg" alt="" width={30} height={30} />
              <Text fw={800} fz={20}>
                Klaxon
              </Text>
            </Link>
            <LiveDot />
          </Group>
          <Group gap={4} wrap="nowrap">
            <Tooltip label="Keyboard shortcuts (?)">
              <ActionIcon variant="subtle" size="xl" onClick={helpControls.open} aria-label="Keyboard shortcuts" visibleFrom="sm">
                <IconKeyboard size={22} />
              </ActionIcon>
            </Tooltip>
            <ColorSchemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      {/* Hidden on a phone (the tab bar below stands in): not drawn there at all, which a slow phone's first screen feels. */}
      {!phone && (
        <AppShell.Navbar p="xs">
          <Stack gap={4}>
            {items.map((n) => (
              <NavLink key={n.to} component={RouterNavLink} to={n.to} label={n.label} leftSection={<n.icon size={20} />} active={active(n.to)} style={{ borderRadius: 8 }} py={10} />
            ))}
          </Stack>
        </AppShell.Navbar>
      )}

      <AppShell.Main className="klx-main" id="main" tabIndex={-1}>
        <div style={{ maxWidth: 1100, margin: '0 auto' }}>{children}</div>
      </AppShell.Main>

      <Box hiddenFrom="sm" component="nav" aria-label="Sections" className="klx-tabbar-fixed">
        <div className="klx-tabbar">
          {items.map((n) => (
            <Link key={n.to} to={n.to} className="klx-tab" aria-label={n.label} aria-current={active(n.to) ? 'page' : undefined}>
              <n.icon size={24} stroke={1.8} />
              {n.short}
            </Link>
          ))}
        </div>
      </Box>
      {helpShown && <ShortcutHelp opened={help} onClose={helpControls.close} />}
    </AppShell>
  );
}

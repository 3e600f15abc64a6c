import { Anchor, ScrollArea, Tabs } from '@mantine/core';
import { lazy, Suspense, useEffect, useRef } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { PageHeader } from '../components/bits.tsx';
import { useSession } from '../session.tsx';

const BusinessServicesTab = lazy(() => import('../status/business-services.tsx'));
const StatusPagesTab = lazy(() => import('../status/status-pages.tsx'));
const SubscriptionsTab = lazy(() => import('../status/subscriptions.tsx'));
const MaintenanceTab = lazy(() => import('../status/maintenance.tsx'));
const TemplatesTab = lazy(() => import('../status/templates.tsx'));

const TABS = [
  { path: 'business-services', label: 'Business services' },
  { path: 'pages', label: 'Status pages' },
  { path: 'subscriptions', label: 'Subscriptions' },
  { path: 'maintenance', label: 'Maintenance' },
  { path: 'templates', label: 'Templates' },
] as const;

/** Status pages, business services, subscriptions, maintenance windows and update templates: one tab each, one URL each. */
export default function StatusAdmin() {
  const { isAdmin } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const current = TABS.find((t) => location.pathname.startsWith(`/status-admin/${t.path}`))?.path ?? null;
  const tabs = useRef<HTMLDivElement>(null);
  // On a phone the tabs scroll sideways: keep the current one in view.
  useEffect(() => {
    tabs.current?.querySelector('[role=tab][aria-selected=true]')?.scrollIntoView({ block: 'nearest', inline: 'center' });
  }, [current]);
  return (
    <div data-testid="status-admin">
      <PageHeader title="Status pages and stakeholders">
        <Anchor component={Link} to="/internal-status" size="sm">
          Major incidents now
        </Anchor>
      </PageHeader>
      <ScrollArea type="never" mb="lg" viewportRef={tabs}>
        <Tabs value={current} onChange={(v) => v && navigate(`/status-admin/${v}`)}>
          <Tabs.List style={{ flexWrap: 'nowrap' }}>
            {TABS.map((t) => (
              <Tabs.Tab key={t.path} value={t.path} fz={{ base: 'sm', sm: 'md' }} px={{ base: 'xs', sm: 'md' }} style={{ whiteSpace: 'nowrap' }}>
                {t.label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </Tabs>
      </ScrollArea>
      <Suspense fallback={null}>
        <Routes>
          <Route index element={<Navigate to="business-services" replace />} />
          <Route path="business-services" element={<BusinessServicesTab isAdmin={isAdmin} />} />
          <Route path="pages" element={<StatusPagesTab isAdmin={isAdmin} />} />
          <Route path="subscriptions" element={<SubscriptionsTab />} />
          <Route path="maintenance" element={<MaintenanceTab isAdmin={isAdmin} />} />
          <Route path="templates" element={<TemplatesTab isAdmin={isAdmin} />} />
          <Route path="*" element={<Navigate to="business-services" replace />} />
        </Routes>
      </Suspense>
    </div>
  );
}

import { Center, Loader } from '@mantine/core';
import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';

/*
 * The console's sections, in the order the side bar lists them. Every page but the incident list
 * (the start page, which must be interactive fast) is loaded on demand, so a new section adds to
 * its own chunk and not to the first load.
 */

export type NavItem = { href: string; label: string };

export const NAV: NavItem[] = [
  { href: '/incidents', label: 'Incidents' },
  { href: '/get-started', label: 'Get started' },
  { href: '/insights', label: 'Insights' },
  { href: '/integrations', label: 'Integrations' },
  { href: '/channels', label: 'Channels' },
  { href: '/routes', label: 'Routes' },
  { href: '/escalation-rules', label: 'Escalation' },
  { href: '/schedules', label: 'Schedules' },
  { href: '/calendars', label: 'Calendars' },
  { href: '/templates', label: 'Templates' },
  { href: '/status-pages', label: 'Status pages' },
  { href: '/members', label: 'Members' },
  { href: '/teams', label: 'Teams' },
  { href: '/roles', label: 'Roles' },
  { href: '/audit', label: 'Audit log' },
  { href: '/app-keys', label: 'App keys' },
  { href: '/import', label: 'Import' },
  { href: '/profile', label: 'Profile' },
];

/** Whether a side-bar entry is the section of the current location. */
export function isActive(item: NavItem, location: string): boolean {
  return location === item.href || location.startsWith(`${item.href}/`);
}

/** A page loaded on demand: `lazyPage(() => import('./pages/X.tsx'), 'XPage')`. */
export function lazyPage<P extends object>(
  load: () => Promise<Record<string, unknown>>,
  name: string,
): ComponentType<P> {
  const Page = lazy(async () => ({ default: (await load())[name] as ComponentType<P> }));
  return (props: P) => (
    <Suspense fallback={<PageLoading />}>
      <Page {...props} />
    </Suspense>
  );
}

function PageLoading(): ReactNode {
  return (
    <Center p="xl">
      <Loader aria-label="Loading" />
    </Center>
  );
}

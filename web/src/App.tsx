import {
  Alert,
  Anchor,
  AppShell,
  Burger,
  Button,
  Center,
  Group,
  Loader,
  NavLink,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { api, describeError, setCsrfToken, whenSignedOut } from './api.ts';
import { returnFocusAfterDialogs } from './focus-return.ts';
import { pickTimeZone } from './format.ts';
import { isActive, lazyPage, NAV } from './nav.tsx';
import { IncidentDetailPage } from './pages/IncidentDetail.tsx';
import { IncidentListPage } from './pages/IncidentList.tsx';
import { InvitePage } from './pages/Invite.tsx';
import { SignInPage } from './pages/SignIn.tsx';
import { type Session, SessionContext } from './session.tsx';
import type { Member } from './types.ts';

const MembersPage = lazyPage(() => import('./pages/Members.tsx'), 'MembersPage');
const ChannelsPage = lazyPage(() => import('./pages/Channels.tsx'), 'ChannelsPage');
const ChannelDetailPage = lazyPage<{ channelId: number }>(
  () => import('./pages/ChannelDetail.tsx'),
  'ChannelDetailPage',
);
const RoutesPage = lazyPage(() => import('./pages/Routes.tsx'), 'RoutesPage');
const EscalationRulesPage = lazyPage(() => import('./pages/EscalationRules.tsx'), 'EscalationRulesPage');
const EscalationRulePage = lazyPage<{ ruleId?: string }>(
  () => import('./pages/EscalationRule.tsx'),
  'EscalationRulePage',
);
const TemplatesPage = lazyPage(() => import('./pages/Templates.tsx'), 'TemplatesPage');
const TemplatePage = lazyPage<{ templateId: string }>(() => import('./pages/Templates.tsx'), 'TemplatePage');
const SchedulesPage = lazyPage(() => import('./pages/Schedules.tsx'), 'SchedulesPage');
const ScheduleDetailPage = lazyPage<{ scheduleId?: number }>(
  () => import('./pages/ScheduleDetail.tsx'),
  'ScheduleDetailPage',
);
const CalendarsPage = lazyPage(() => import('./pages/Calendars.tsx'), 'CalendarsPage');
const CalendarDetailPage = lazyPage<{ calId: string }>(
  () => import('./pages/Calendars.tsx'),
  'CalendarDetailPage',
);
const InsightsPage = lazyPage(() => import('./pages/Insights.tsx'), 'InsightsPage');
const StatusPagesPage = lazyPage(() => import('./pages/StatusPages.tsx'), 'StatusPagesPage');
const StatusPageDetailPage = lazyPage<{ pageId: string }>(
  () => import('./pages/StatusPageDetail.tsx'),
  'StatusPageDetailPage',
);
const IntegrationsPage = lazyPage(() => import('./pages/Integrations.tsx'), 'IntegrationsPage');
const IntegrationDetailPage = lazyPage<{ integrationId: string }>(
  () => import('./pages/IntegrationDetail.tsx'),
  'IntegrationDetailPage',
);
const ProfilePage = lazyPage(() => import('./pages/Profile.tsx'), 'ProfilePage');
const TeamsPage = lazyPage(() => import('./pages/Teams.tsx'), 'TeamsPage');
const RolesPage = lazyPage(() => import('./pages/Roles.tsx'), 'RolesPage');
const AuditPage = lazyPage(() => import('./pages/Audit.tsx'), 'AuditPage');
const AppKeysPage = lazyPage(() => import('./pages/AppKeys.tsx'), 'AppKeysPage');
const ImportPage = lazyPage(() => import('./pages/Import.tsx'), 'ImportPage');
const GetStartedPage = lazyPage(() => import('./pages/GetStarted.tsx'), 'GetStartedPage');
const PostMortemPage = lazyPage<{ postMortemId: string }>(
  () => import('./pages/PostMortem.tsx'),
  'PostMortemPage',
);

type State =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'error'; message: string }
  | { kind: 'in'; member: Member; delivery: Session['delivery'] };

/** Loads the session (cookie → CSRF token → member) and routes between the pages. */
export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [location, navigate] = useLocation();
  const [navOpen, nav] = useDisclosure(false);

  const load = useCallback(async () => {
    try {
      const session = await api.get<{ csrf_token: string; delivery: Session['delivery'] }>(
        '/console/session',
      );
      setCsrfToken(session.csrf_token);
      setState({ kind: 'in', member: await api.post<Member>('/member/info'), delivery: session.delivery });
    } catch (error) {
      setCsrfToken(undefined);
      if ((error as { status?: number }).status === 401) setState({ kind: 'signed-out' });
      else setState({ kind: 'error', message: describeError(error) });
    }
  }, []);

  useEffect(() => {
    whenSignedOut(() => setState({ kind: 'signed-out' }));
    void load();
  }, [load]);
  useEffect(() => returnFocusAfterDialogs(), []);

  const session = useMemo<Session | undefined>(() => {
    if (state.kind !== 'in') return undefined;
    return {
      member: state.member,
      delivery: state.delivery,
      timeZone: pickTimeZone(state.member.time_zone, state.member.account_time_zone),
      async signOut() {
        await api.post('/console/sign-out').catch(() => undefined);
        setCsrfToken(undefined);
        setState({ kind: 'signed-out' });
        navigate('/sign-in');
      },
      refresh: load,
    };
  }, [state, navigate, load]);

  if (location.startsWith('/invite/')) {
    return (
      <Route path="/invite/:token">{(params) => <InvitePage token={params.token} onSignedIn={load} />}</Route>
    );
  }
  if (state.kind === 'loading') {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (state.kind === 'error') {
    return (
      <Center h="100vh" p="md">
        <Alert color="red" title="The console could not start">
          {state.message}
          <Button mt="sm" onClick={() => void load()}>
            Try again
          </Button>
        </Alert>
      </Center>
    );
  }
  if (state.kind === 'signed-out' || !session) {
    const next = location === '/sign-in' ? '/' : location;
    return (
      <SignInPage
        onSignedIn={async () => {
          await load();
          navigate(next === '/sign-in' ? '/' : next, { replace: true });
        }}
      />
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <SkipLink />
      <AppShell
        header={{ height: 56 }}
        navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger opened={navOpen} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
              <Title order={1} size="h3">
                <Link href="/" style={{ color: 'inherit', textDecoration: 'none' }}>
                  Vigil
                </Link>
              </Title>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <Anchor component={Link} href="/profile" size="sm" visibleFrom="xs">
                {session.member.member_name}
              </Anchor>
              <Button variant="default" size="xs" onClick={() => void session.signOut()}>
                Sign out
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label="Sections">
          {NAV.map((item) => (
            <NavLink
              key={item.href}
              component={Link}
              href={item.href}
              label={item.label}
              active={isActive(item, location)}
              onClick={nav.close}
            />
          ))}
        </AppShell.Navbar>
        <AppShell.Main id="main" tabIndex={-1}>
          <Switch>
            <Route path="/">
              <Redirect to="/incidents" replace />
            </Route>
            <Route path="/sign-in">
              <Redirect to="/incidents" replace />
            </Route>
            <Route path="/incidents" component={IncidentListPage} />
            <Route path="/get-started" component={GetStartedPage} />
            <Route path="/members" component={MembersPage} />
            <Route path="/channels" component={ChannelsPage} />
            <Route path="/channels/:id">
              {(params) => <ChannelDetailPage key={params.id} channelId={Number(params.id)} />}
            </Route>
            <Route path="/routes" component={RoutesPage} />
            <Route path="/escalation-rules" component={EscalationRulesPage} />
            <Route path="/escalation-rules/new">
              <EscalationRulePage />
            </Route>
            <Route path="/escalation-rules/:id">
              {(params) => <EscalationRulePage key={params.id} ruleId={params.id} />}
            </Route>
            <Route path="/templates" component={TemplatesPage} />
            <Route path="/templates/:id">
              {(params) => <TemplatePage key={params.id} templateId={params.id} />}
            </Route>
            <Route path="/schedules" component={SchedulesPage} />
            <Route path="/schedules/new">{() => <ScheduleDetailPage />}</Route>
            <Route path="/schedules/:id">
              {(params) => <ScheduleDetailPage scheduleId={Number(params.id)} />}
            </Route>
            <Route path="/calendars" component={CalendarsPage} />
            <Route path="/calendars/:id">{(params) => <CalendarDetailPage calId={params.id} />}</Route>
            <Route path="/insights" component={InsightsPage} />
            <Route path="/status-pages" component={StatusPagesPage} />
            <Route path="/status-pages/:id">
              {(params) => <StatusPageDetailPage key={params.id} pageId={params.id} />}
            </Route>
            <Route path="/integrations" component={IntegrationsPage} />
            <Route path="/integrations/:id">
              {(params) => <IntegrationDetailPage integrationId={params.id} />}
            </Route>
            <Route path="/profile" component={ProfilePage} />
            <Route path="/teams" component={TeamsPage} />
            <Route path="/roles" component={RolesPage} />
            <Route path="/audit" component={AuditPage} />
            <Route path="/app-keys" component={AppKeysPage} />
            <Route path="/import" component={ImportPage} />
            <Route path="/post-mortems/:id">
              {(params) => <PostMortemPage key={params.id} postMortemId={params.id} />}
            </Route>
            <Route path="/incident/detail/:id">
              {(params) => <IncidentDetailPage incidentId={params.id} />}
            </Route>
            <Route>
              <Alert color="yellow" title="No such page">
                This page does not exist. <Link href="/incidents">Go to the incidents.</Link>
              </Alert>
            </Route>
          </Switch>
        </AppShell.Main>
      </AppShell>
    </SessionContext.Provider>
  );
}

/** The first Tab stop: straight to the page's content, past the header and the side bar. */
function SkipLink() {
  const [focused, setFocused] = useState(false);
  return (
    <a
      href="#main"
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
      style={
        focused
          ? {
              position: 'fixed',
              top: 8,
              left: 8,
              zIndex: 1000,
              padding: '8px 12px',
              background: '#fff',
              color: '#0550ae',
            }
          : { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }
      }
    >
      Skip to content
    </a>
  );
}

import { useCallback, useEffect, useState } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { type ApiError, api, onUnauthorized, setCsrfToken } from './api.js';
import { ErrorBox, Loading } from './components.js';
import { asApiError } from './hooks.js';
import { ApprovalsPage } from './pages/approvals.js';
import { CommunicationPage } from './pages/communication.js';
import { CustomersPage } from './pages/customers.js';
import { IncidentPage } from './pages/incident.js';
import { IncidentsPage } from './pages/incidents.js';
import { LoginPage } from './pages/login.js';
import { OutboxPage } from './pages/outbox.js';
import { RepliesPage } from './pages/replies.js';
import { SegmentsPage } from './pages/segments.js';
import { SettingsPage } from './pages/settings.js';
import { SessionContext, type SessionContextValue } from './session.js';
import type { Bootstrap, SessionAnswer } from './types.js';

function NavLink({ href, children }: { href: string; children: string }) {
  const [location] = useLocation();
  const active = location === href || location.startsWith(`${href}/`);
  return (
    <Link href={href} className={active ? 'active' : ''} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

function Shell({ session }: { session: SessionContextValue }) {
  const { user } = session;
  const staff = user.role !== 'executive';
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Candor
        </Link>
        <nav aria-label="Main">
          <NavLink href="/incidents">Incidents</NavLink>
          <NavLink href="/approvals">Approvals</NavLink>
          <NavLink href="/replies">Replies</NavLink>
          {staff && <NavLink href="/customers">Customers</NavLink>}
          {staff && <NavLink href="/segments">Segments</NavLink>}
          {session.transport === 'outbox' && <NavLink href="/outbox">Outbox</NavLink>}
          {user.role === 'admin' && <NavLink href="/settings">Settings</NavLink>}
        </nav>
        <div className="whoami">
          <span>
            {user.name} <span className="muted">({user.role})</span>
          </span>
          <button type="button" onClick={() => void session.logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main">
        <Switch>
          <Route path="/">
            <Redirect to={user.role === 'executive' ? '/approvals' : '/incidents'} />
          </Route>
          <Route path="/incidents" component={IncidentsPage} />
          <Route path="/incidents/:id" component={IncidentPage} />
          <Route path="/communications/:id" component={CommunicationPage} />
          <Route path="/approvals" component={ApprovalsPage} />
          <Route path="/approvals/:id" component={ApprovalsPage} />
          <Route path="/replies" component={RepliesPage} />
          <Route path="/customers" component={CustomersPage} />
          <Route path="/segments" component={SegmentsPage} />
          <Route path="/outbox" component={OutboxPage} />
          <Route path="/outbox/:id" component={OutboxPage} />
          <Route path="/settings" component={SettingsPage} />
          <Route>
            <h1>Not found</h1>
            <p>
              There is no page here. <Link href="/">Go to the start page</Link>.
            </p>
          </Route>
        </Switch>
      </main>
    </>
  );
}

export function App() {
  const [boot, setBoot] = useState<Bootstrap | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [, navigate] = useLocation();

  const load = useCallback(async () => {
    try {
      const answer = await api.get<Bootstrap>('/v1/ui/bootstrap');
      setCsrfToken(answer.session?.csrf_token ?? null);
      setBoot(answer);
      setError(null);
    } catch (e) {
      setError(asApiError(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => onUnauthorized(() => setBoot((b) => (b ? { ...b, session: null } : b))), []);

  if (error) return <ErrorBox error={error} title="Candor could not start" />;
  if (!boot) return <Loading />;
  if (!boot.session) {
    return (
      <LoginPage
        onLogin={(answer: SessionAnswer) => {
          setCsrfToken(answer.csrf_token);
          setBoot({ ...boot, session: answer });
        }}
      />
    );
  }
  const session: SessionContextValue = {
    user: boot.session.user,
    transport: boot.transport,
    logout: async () => {
      await api.post('/v1/auth/logout').catch(() => undefined);
      setCsrfToken(null);
      setBoot({ ...boot, session: null });
      navigate('/');
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}

// The dashboard's shell: asks /api/v1/session who is signed in (the sign-in page when nobody is),
// then draws the navigation and the page of the current path (wouter-preact routes the history API).

import './app.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Link, Route, Switch, useLocation } from 'wouter-preact';
import { del, probe, setCsrf, whenSignedOut } from './api.js';
import { SessionContext } from './session.js';
import type { Session } from './types.js';
import { Txt } from './ui.js';
import { LoginPage } from './pages/login.js';
import { OverviewPage } from './pages/overview.js';
import { QueuePage } from './pages/queue.js';
import { AlertPage } from './pages/alert.js';
import { SearchPage } from './pages/search.js';
import { UserPage } from './pages/user.js';
import { IpPage } from './pages/ip.js';
import { ReportsPage } from './pages/reports.js';
import { RulesPage } from './pages/rules.js';

function Nav({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [loc] = useLocation();
  const item = (href: string, label: string) => (
    <Link href={href} class={loc === href || (href !== '/' && loc.startsWith(href)) ? 'active' : ''}>
      {label}
    </Link>
  );
  return (
    <header class="top">
      <span class="brand">auditwatch</span>
      <nav>
        {item('/', 'Overview')}
        {item('/alerts', 'Alerts')}
        {item('/search', 'Search')}
        {item('/reports', 'Reports')}
        {item('/rules', 'Rules')}
      </nav>
      <span class="who">
        <Txt v={session.user} max={60} /> <span class="role">{session.role}</span>
        <button type="button" class="link" onClick={onSignOut}>
          Sign out
        </button>
      </span>
    </header>
  );
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [loc, navigate] = useLocation();
  const adopt = (s: Session | null) => {
    setCsrf(s?.csrfToken ?? '');
    setSession(s);
  };
  useEffect(() => {
    whenSignedOut(() => adopt(null));
    probe<Session>('/session').then(adopt, () => adopt(null));
  }, []);
  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null) {
    return (
      <LoginPage
        onSignedIn={(s) => {
          adopt(s);
          if (loc === '/login') navigate('/');
        }}
      />
    );
  }
  const signOut = () => {
    del('/session').finally(() => {
      adopt(null);
      navigate('/login');
    });
  };
  return (
    <SessionContext.Provider value={session}>
      <Nav session={session} onSignOut={signOut} />
      <main>
        <Switch>
          <Route path="/" component={OverviewPage} />
          <Route path="/overview" component={OverviewPage} />
          <Route path="/login" component={OverviewPage} />
          <Route path="/alerts" component={QueuePage} />
          <Route path="/alerts/:id">{(p: { id: string }) => <AlertPage id={p.id} />}</Route>
          <Route path="/search" component={SearchPage} />
          <Route path="/users/:user">{(p: { user: string }) => <UserPage user={p.user} />}</Route>
          <Route path="/ips/:ip">{(p: { ip: string }) => <IpPage ip={p.ip} />}</Route>
          <Route path="/reports" component={ReportsPage} />
          <Route path="/rules" component={RulesPage} />
          <Route>
            <p>Nothing here. Go to the <Link href="/">overview</Link>.</p>
          </Route>
        </Switch>
      </main>
    </SessionContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);

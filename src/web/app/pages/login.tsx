// The sign-in page: a local account (POST /api/v1/session), and "Sign in with …" when the daemon has
// OpenID Connect (GET /api/v1/auth/methods says so), which is a plain navigation to /auth/oidc/login.
// A refused single sign-on comes back as /login?error=<code>, shown as text.

import { useState } from 'preact/hooks';
import { ApiError, login, probe } from '../api.js';
import type { AuthMethods, Session } from '../types.js';
import { Txt, useAsync } from '../ui.js';

const REFUSED: Record<string, string> = {
  login_failed: 'The user name or password is wrong.',
  login_rate_limited: 'Too many sign-in attempts; wait a minute and try again.',
  oidc_denied: 'Single sign-on was cancelled or denied at the provider (oidc_denied).',
  oidc_invalid_token: "Single sign-on refused: the provider's token did not verify (issuer, audience, signature, nonce or expiry; oidc_invalid_token).",
  oidc_no_role: 'Single sign-on refused: your account has no auditwatch role; ask an admin (oidc_no_role).',
  oidc_tenant: 'Single sign-on refused: your tenant may not sign in here (oidc_tenant).',
  oidc_state: 'Single sign-on refused: the sign-in expired or came from another browser; try again (oidc_state).',
  oidc_token: 'Single sign-on failed: the provider did not give a token (oidc_token).',
  oidc_unavailable: 'Single sign-on is unavailable: the provider cannot be reached (oidc_unavailable).',
  oidc_failed: 'Single sign-on failed (oidc_failed); see the daemon log.',
};

export function LoginPage({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const methods = useAsync(() => probe<AuthMethods>('/auth/methods'), []);
  const [error, setError] = useState<string | null>(new URLSearchParams(location.search).get('error'));
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      onSignedIn(await login<Session>(String(form.get('username') ?? ''), String(form.get('password') ?? '')));
    } catch (err) {
      setError(err instanceof ApiError ? (REFUSED[err.code] ?? err.message) : String(err));
    } finally {
      setBusy(false);
    }
  };
  const here = location.pathname === '/login' ? '/' : location.pathname + location.search;
  const oidc = methods.data?.oidc;
  return (
    <main class="login">
      <h1>auditwatch</h1>
      <p class="muted">Sign in to triage alerts, search the audit log and read the reports.</p>
      {error && (
        <p class="error" role="alert" id="login-error">
          <Txt v={REFUSED[error] ?? `Sign-in refused: ${error}`} max={300} />
        </p>
      )}
      {methods.data?.local !== false && (
        <form onSubmit={submit} class="card">
          <label>
            User name
            <input name="username" autocomplete="username" required maxLength={64} />
          </label>
          <label>
            Password
            <input name="password" type="password" autocomplete="current-password" required maxLength={4096} />
          </label>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
      {oidc && (
        <p>
          <a class="button" id="oidc-login" href={`/auth/oidc/login?next=${encodeURIComponent(here)}`}>
            Sign in with <Txt v={oidc.label} max={60} />
          </a>
        </p>
      )}
    </main>
  );
}

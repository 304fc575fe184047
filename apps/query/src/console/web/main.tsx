// The console's shell: navigation, tenant selector, token prompt, and the page for the path.
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { forgetToken, session, setTenant, submitToken, useSession } from './api';
import { DeadLettersPage } from './dead-letters';
import { EventPage } from './event';
import { ExplorePage } from './explore';
import { LogPage } from './log';
import { OverviewPage } from './overview';
import { StreamPage, StreamsPage } from './streams';
import { TracePage } from './trace';
import { Link, navigate, useRoute } from './ui';
import './style.css';

const NAV: [string, string][] = [
  ['/ui', 'Log'],
  ['/ui/overview', 'Overview'],
  ['/ui/streams', 'Streams'],
  ['/ui/explore', 'Explore'],
  ['/ui/dead-letters', 'Dead letters'],
];

function page(path: string) {
  const m = (re: RegExp) => re.exec(path)?.[1];
  const dec = decodeURIComponent;
  let v: string | undefined;
  if ((v = m(/^\/ui\/events\/(.+)$/))) return <EventPage id={dec(v)} key={v} />;
  if ((v = m(/^\/ui\/traces\/(.+)$/))) return <TracePage requestId={dec(v)} key={v} />;
  if ((v = m(/^\/ui\/streams\/(.+)$/))) return <StreamPage stream={dec(v)} key={v} />;
  if (path === '/ui/streams') return <StreamsPage />;
  if (path === '/ui/explore') return <ExplorePage />;
  if (path === '/ui/dead-letters') return <DeadLettersPage />;
  if (path === '/ui/overview') return <OverviewPage />;
  if (path === '/ui' || path === '/ui/') return <LogPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No console page at <code>{path}</code>. <Link href="/ui">Open the log</Link>.
      </p>
    </section>
  );
}

const TITLES: [RegExp, string][] = [[/^\/ui\/events\//, 'Event'], [/^\/ui\/traces\//, 'Trace'], [/^\/ui\/streams\/./, 'Stream'], [/^\/ui\/streams/, 'Streams'], [/^\/ui\/explore/, 'Explore'], [/^\/ui\/overview/, 'Overview'], [/^\/ui\/dead-letters/, 'Dead letters']];

function TenantSelector() {
  const s = useSession();
  return (
    <form
      class="tenant"
      onSubmit={(e) => {
        e.preventDefault();
        const v = String(new FormData(e.currentTarget).get('tenant') ?? '');
        setTenant(v);
        const p = new URLSearchParams(location.search);
        if (v) p.set('tenant', v);
        else p.delete('tenant');
        p.delete('cursor');
        p.delete('page');
        navigate(`${location.pathname}${p.toString() ? `?${p}` : ''}`, true);
      }}
    >
      <label>
        <span>Tenant</span>
        <input name="tenant" list="known-tenants" value={s.tenant} placeholder={s.token ? "(the token's)" : '(default)'} size={12} key={s.tenant} autocomplete="off" />
      </label>
      <datalist id="known-tenants">{s.tenants.map((t) => <option value={t} />)}</datalist>
      <button type="submit">Use</button>
    </form>
  );
}

function TokenPrompt() {
  const s = useSession();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [s.prompt]);
  if (!s.prompt) return null;
  return (
    <div class="modal-backdrop">
      <form
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="token-title"
        data-testid="token-prompt"
        onSubmit={(e) => {
          e.preventDefault();
          submitToken(input.current!.value);
        }}
      >
        <h2 id="token-title">Access token</h2>
        <p>{s.prompt.message}</p>
        <p class="muted">It is kept for this browser session only and sent as the x-auth-token header.</p>
        <label>
          <span>Token</span>
          <input ref={input} type="password" name="token" autocomplete="off" required />
        </label>
        <div class="filter-actions">
          <button type="submit" class="primary">Continue</button>
        </div>
      </form>
    </div>
  );
}

function App() {
  const { path, params } = useRoute();
  const s = useSession();
  // A link that names a tenant reads that tenant (and remembers it).
  const urlTenant = params.get('tenant');
  if (urlTenant !== null && urlTenant !== session.tenant) setTenant(urlTenant);
  useEffect(() => {
    document.title = `${TITLES.find(([re]) => re.test(path))?.[1] ?? 'Log'} · eventlog console`;
  }, [path]);
  const current = (href: string) => (href === '/ui' ? path === '/ui' || path === '/ui/' : path.startsWith(href));
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">eventlog</span>
        <nav aria-label="Console">
          {NAV.map(([href, label]) => (
            <a
              href={href + (s.tenant ? `?tenant=${encodeURIComponent(s.tenant)}` : '')}
              aria-current={current(href) ? 'page' : undefined}
              onClick={(e) => {
                if (e.button || e.metaKey || e.ctrlKey) return;
                e.preventDefault();
                navigate(href + (s.tenant ? `?tenant=${encodeURIComponent(s.tenant)}` : ''));
              }}
            >
              {label}
            </a>
          ))}
        </nav>
        <TenantSelector />
        {s.token && (
          <button type="button" class="link" onClick={() => { forgetToken(); location.reload(); }}>
            Sign out
          </button>
        )}
      </header>
      <main id="main">{page(path)}</main>
      <TokenPrompt />
    </>
  );
}

render(<App />, document.getElementById('app')!);

// Inlined into index.html by build-console.js and run as the HTML is parsed: starts the first page's
// API requests while the bundle is still on its way (on a loaded machine that is ~100 ms), with the
// same functions the page builds them with, so the page finds them under the same keys (early.tsx).
import { startEarly } from './early';
import { histogramBody, pagePath, readLogQuery, windowOf } from './log-query';
import { qs, session } from './session';

function boot() {
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  // A link that names a tenant reads that tenant (main.tsx makes it the session's).
  const tenant = params.get('tenant');
  if (tenant !== null) session.tenant = tenant.trim();
  const now = Date.now();
  if (path === '/ui' || path === '/ui/') {
    const q = readLogQuery(params);
    const win = windowOf(q, now);
    const requests: { path: string; body?: string }[] = [{ path: pagePath(q, win) }];
    if (win.from !== undefined && win.to !== undefined) requests.push({ path: '/v1/query', body: histogramBody(q, win.from, win.to).body });
    startEarly(now, requests);
  } else {
    const trace = /^\/ui\/traces\/(.+)$/.exec(path); // as main.tsx routes it
    if (trace) startEarly(now, [{ path: `/v1/traces/${encodeURIComponent(decodeURIComponent(trace[1]))}${qs({})}` }]);
  }
}

try {
  boot();
} catch {
  // Nothing started: the page makes its requests itself.
}

// The session every request carries (token, tenant) and how requests are written. No Preact here:
// the inline boot script (boot.tsx) builds the log page's first requests with it too.

// ---- session state: token (sessionStorage), tenant and remembered tenants (localStorage) ----
export const TOKEN_KEY = 'eventlog.token';
export const TENANT_KEY = 'eventlog.tenant';
export const TENANTS_KEY = 'eventlog.tenants';

const read = (s: Storage, k: string) => {
  try {
    return s.getItem(k);
  } catch {
    return null;
  }
};
export const write = (s: Storage, k: string, v: string | null) => {
  try {
    if (v === null) s.removeItem(k);
    else s.setItem(k, v);
  } catch {
    /* storage disabled: keep it in memory only */
  }
};

export const session = {
  token: read(sessionStorage, TOKEN_KEY),
  tenant: read(localStorage, TENANT_KEY) ?? '',
  tenants: JSON.parse(read(localStorage, TENANTS_KEY) ?? '[]') as string[],
  prompt: null as null | { message: string },
  /** Tenants read through this token (answers say which tenant they are of). */
  seen: new Set<string>(),
};

export function authHeaders(): Record<string, string> {
  return session.token ? { 'x-auth-token': session.token } : {};
}

/** Query string of the defined, non-empty values, with the session's tenant unless one is given. */
export function qs(params: Record<string, string | number | boolean | undefined | null>, withTenant = true): string {
  const p = new URLSearchParams();
  if (withTenant && session.tenant && params.tenant === undefined) p.set('tenant', session.tenant);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The DSL's `from`, with the session's tenant. */
export const dslFrom = (from: Record<string, string | undefined> = {}) => {
  const f: Record<string, string> = {};
  if (session.tenant) f.tenant = session.tenant;
  for (const [k, v] of Object.entries(from)) if (v) f[k] = v;
  return f;
};

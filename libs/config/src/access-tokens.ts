/** What one access token may do (contract 4, Access). */
export interface AccessGrant {
  token: string;
  /** Tenants it reads and writes; `*` for every tenant. */
  tenants: string[];
  scopes: AccessScope[];
}

export type AccessScope = 'read' | 'publish' | 'delete';
const SCOPES: AccessScope[] = ['read', 'publish', 'delete'];
const MIN_TOKEN_LENGTH = 16;

/**
 * Parses AUTH_TOKENS (or the file AUTH_TOKENS_FILE names): a JSON object from token to
 * `{"tenants": [...], "scopes": ["read", "publish"]}`. Returns the grants, or the problems found
 * (never echoing a token).
 */
export function parseAccessTokens(json: string): { grants: AccessGrant[]; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    return { grants: [], problems: [`not valid JSON (${(err as Error).message})`] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { grants: [], problems: ['must be a JSON object from token to {"tenants": [...], "scopes": [...]}'] };
  }
  const grants: AccessGrant[] = [];
  const problems: string[] = [];
  Object.entries(parsed).forEach(([token, grant], index) => {
    const where = `entry ${index + 1}`;
    if (token.length < MIN_TOKEN_LENGTH) problems.push(`${where}: a token must be at least ${MIN_TOKEN_LENGTH} characters`);
    const { tenants, scopes } = (grant ?? {}) as { tenants?: unknown; scopes?: unknown };
    const tenantsOk = Array.isArray(tenants) && tenants.length > 0 && tenants.every((t) => typeof t === 'string' && t.length >= 1 && t.length <= 64);
    if (!tenantsOk) problems.push(`${where}: tenants must be a non-empty array of tenant names (or "*")`);
    const scopesOk = Array.isArray(scopes) && scopes.length > 0 && scopes.every((s) => SCOPES.includes(s as AccessScope));
    if (!scopesOk) problems.push(`${where}: scopes must be a non-empty array of ${SCOPES.join(', ')}`);
    if (tenantsOk && scopesOk) grants.push({ token, tenants: tenants as string[], scopes: scopes as AccessScope[] });
  });
  return { grants, problems };
}

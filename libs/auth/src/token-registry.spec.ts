import { loadConfig } from '@eventlog/config';
import { grants, TokenRegistry } from './token-registry';

const TOKENS = JSON.stringify({
  'reader-token-aaaaaaaa': { tenants: ['acme'], scopes: ['read'] },
  'admin-token-bbbbbbbbb': { tenants: ['*'], scopes: ['read', 'publish'] },
});

describe('TokenRegistry', () => {
  const registry = new TokenRegistry(loadConfig({ AUTH_TOKENS: TOKENS }));

  it('finds the grant of a configured token and nothing for others', () => {
    const reader = registry.authenticate('reader-token-aaaaaaaa')!;
    expect([...reader.tenants]).toEqual(['acme']);
    expect([...reader.scopes]).toEqual(['read']);
    expect(registry.authenticate('reader-token-aaaaaaab')).toBeUndefined();
    expect(registry.authenticate('')).toBeUndefined();
    expect(registry.authenticate(undefined)).toBeUndefined();
  });

  it('grants listed tenants, and every tenant to "*"', () => {
    expect(grants(registry.authenticate('reader-token-aaaaaaaa')!, 'acme')).toBe(true);
    expect(grants(registry.authenticate('reader-token-aaaaaaaa')!, 'globex')).toBe(false);
    expect(grants(registry.authenticate('admin-token-bbbbbbbbb')!, 'globex')).toBe(true);
  });

  it('names a token by a digest prefix, never by the token', () => {
    const id = registry.authenticate('reader-token-aaaaaaaa')!.id;
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect('reader-token-aaaaaaaa').not.toContain(id);
  });

  it('is disabled without tokens (the open API)', () => {
    expect(new TokenRegistry(loadConfig({})).enabled).toBe(false);
    expect(registry.enabled).toBe(true);
  });
});

describe('AUTH_TOKENS validation at start', () => {
  it.each([
    ['not JSON', '{tok', /AUTH_TOKENS: not valid JSON/],
    ['an array', '[]', /AUTH_TOKENS: must be a JSON object/],
    ['a short token', JSON.stringify({ short: { tenants: ['a'], scopes: ['read'] } }), /entry 1: a token must be at least 16/],
    ['no tenants', JSON.stringify({ ['x'.repeat(16)]: { tenants: [], scopes: ['read'] } }), /entry 1: tenants must be/],
    ['an unknown scope', JSON.stringify({ ['x'.repeat(16)]: { tenants: ['a'], scopes: ['admin'] } }), /entry 1: scopes must be/],
  ])('refuses %s without echoing the token', (_name, value, message) => {
    expect(() => loadConfig({ AUTH_TOKENS: value })).toThrow(message);
    try {
      loadConfig({ AUTH_TOKENS: value });
    } catch (err) {
      expect((err as Error).message).not.toContain('xxxxxxxxxxxxxxxx');
    }
  });

  it('reads AUTH_TOKENS_FILE, and refuses both at once or a missing file', () => {
    expect(() => loadConfig({ AUTH_TOKENS_FILE: '/nonexistent/tokens.json' })).toThrow(/AUTH_TOKENS_FILE: cannot read .* \(ENOENT\)/);
    expect(() => loadConfig({ AUTH_TOKENS: TOKENS, AUTH_TOKENS_FILE: '/x' })).toThrow(/not both/);
  });
});

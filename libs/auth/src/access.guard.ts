import { CanActivate, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { IncomingHttpHeaders } from 'node:http';
import { AccessScope } from '@eventlog/config';
import { DEFAULT_TENANT } from '@eventlog/contracts';
import { REQUIRES_SCOPE, TENANT_IN, TenantLocation } from './access.decorators';
import { Grant, grants, TokenRegistry } from './token-registry';

type Target = Record<string, unknown>;

const errorBody = (statusCode: 401 | 403, message: string) => ({
  statusCode,
  error: statusCode === 401 ? 'Unauthorized' : 'Forbidden',
  message,
  details: [],
});

/**
 * Contract 4, Access: with AUTH_TOKENS configured, every API call carries a token that grants the
 * tenant it reads or writes and the scope it needs; 401 without a valid token, 403 otherwise.
 * A call that names no tenant gets the token's only tenant (else `default`), written into the
 * request so that the handler reads exactly what was authorised.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const location = this.reflector.get<TenantLocation | undefined>(TENANT_IN, context.getHandler());
    if (!location || !this.tokens.enabled) return true; // health, metrics, docs; or an open API
    const scope = this.reflector.get<AccessScope | undefined>(REQUIRES_SCOPE, context.getHandler()) ?? 'read';
    const rpc = context.getType() === 'rpc';
    const fail = (status: 401 | 403, message: string): never => {
      throw rpc ? new RpcException(errorBody(status, message)) : new HttpException(errorBody(status, message), status);
    };

    const { token, target } = rpc ? this.fromKafka(context) : this.fromHttp(context, location);
    const grant = this.tokens.authenticate(token);
    if (!grant) return fail(401, token ? 'invalid access token' : 'an access token is required (X-Auth-Token or Authorization: Bearer)');
    if (!grant.scopes.has(scope)) return fail(403, `the token lacks the ${scope} scope`);
    for (const tenant of this.tenantsOf(target, location, grant)) {
      if (!grants(grant, tenant)) return fail(403, `the token does not grant tenant ${tenant}`);
    }
    return true;
  }

  private fromHttp(context: ExecutionContext, location: TenantLocation) {
    const req = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders; query: Target; body: unknown }>();
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const header = req.headers['x-auth-token'];
    const token = (Array.isArray(header) ? header[0] : header) ?? bearer;
    if (location === 'query') {
      // Express 5 exposes query through a getter; give this request its own copy to fill in.
      const query = { ...req.query };
      Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true, enumerable: true });
      return { token, target: query as unknown };
    }
    return { token, target: req.body };
  }

  private fromKafka(context: ExecutionContext) {
    const message = context.switchToRpc().getContext<{ getMessage(): { headers?: Record<string, unknown> } }>().getMessage();
    const raw = message.headers?.['x-auth-token'];
    const token = raw === undefined ? undefined : String(Array.isArray(raw) ? raw[0] : raw);
    return { token, target: context.switchToRpc().getData() as unknown };
  }

  /** The tenants the call touches, filling in the default where it names none. */
  private tenantsOf(target: unknown, location: TenantLocation, grant: Grant): string[] {
    const fallback = grant.tenants.size === 1 && !grant.tenants.has('*') ? [...grant.tenants][0] : DEFAULT_TENANT;
    const settle = (holder: unknown): string | undefined => {
      if (typeof holder !== 'object' || holder === null || Array.isArray(holder)) return undefined; // validation answers it
      const h = holder as Target;
      if (h.tenant === undefined) h.tenant = fallback;
      return typeof h.tenant === 'string' ? h.tenant : undefined;
    };
    if (location === 'body[]') return Array.isArray(target) ? target.map(settle).filter((t): t is string => t !== undefined) : [];
    if (location === 'body.from') {
      if (typeof target !== 'object' || target === null || Array.isArray(target)) return [];
      const t = target as Target;
      if (t.from === undefined) t.from = {};
      const tenant = settle(t.from);
      return tenant === undefined ? [] : [tenant];
    }
    const tenant = settle(target);
    return tenant === undefined ? [] : [tenant];
  }
}

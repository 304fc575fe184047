import { CanActivate, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { WsException } from '@nestjs/websockets';
import { IncomingHttpHeaders } from 'node:http';
import { AccessScope } from '@eventlog/config';
import { REQUIRES_SCOPE, TENANT_IN, TenantLocation } from './access.decorators';
import { decideTenant, recordTenant } from './request-tenant';
import { socketToken, tokenOf } from './request-token';
import { Grant, TokenRegistry } from './token-registry';

type Target = Record<string, unknown>;

const REASONS = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' } as const;
const errorBody = (statusCode: 400 | 401 | 403, message: string, details: { field: string; message: string }[]) => ({
  statusCode,
  error: REASONS[statusCode],
  message,
  details,
});

/**
 * Contract 4, Access: with AUTH_TOKENS configured, every API call carries a token that grants the
 * tenant it reads or writes and the scope it needs; 401 without a valid token, 403 otherwise.
 * With or without tokens, the tenant of every API call is decided here, by decideTenant, and
 * recorded for the handler (@RequestTenant); a call that names no tenant gets the decided one
 * written into its request, so a published envelope carries exactly what was authorised. A GraphQL
 * field is checked like an HTTP call, with its arguments as the request.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const location = this.reflector.get<TenantLocation | undefined>(TENANT_IN, context.getHandler());
    if (!location) return true; // health, metrics, docs
    const type = context.getType<'http' | 'rpc' | 'ws' | 'graphql'>();
    const fail = (status: 400 | 401 | 403, message: string, field?: string): never => {
      const body = errorBody(status, message, field ? [{ field, message }] : []);
      throw type === 'rpc' ? new RpcException(body) : type === 'ws' ? new WsException(body) : new HttpException(body, status);
    };

    const { token, target } =
      type === 'rpc'
        ? this.fromKafka(context)
        : type === 'ws'
          ? this.fromSocket(context)
          : type === 'graphql'
            ? this.fromGraphql(context)
            : this.fromHttp(context, location);
    let grant: Grant | undefined;
    if (this.tokens.enabled) {
      const scope = this.reflector.get<AccessScope | undefined>(REQUIRES_SCOPE, context.getHandler()) ?? 'read';
      grant = this.tokens.authenticate(token);
      if (!grant) return fail(401, token ? 'invalid access token' : 'an access token is required (X-Auth-Token or Authorization: Bearer)');
      if (!grant.scopes.has(scope)) return fail(403, `the token lacks the ${scope} scope`);
    }
    for (const { holder, field } of this.holdersOf(target, location)) {
      if (!isPlainObject(holder)) {
        // An item that is not an object names no tenant; validation refuses it with its path.
        if (location === 'body[]') continue;
        return fail(400, `${field || 'the request'} must be a JSON object`, field || 'body');
      }
      const at = field ? `${field}.tenant` : 'tenant';
      const decision = decideTenant(holder.tenant, at, grant);
      if (!decision.ok) return fail(decision.status, decision.message, decision.status === 400 ? decision.field : undefined);
      // GraphQL arguments are the executor's, possibly shared by executions of one cached query:
      // the resolver reads the decided tenant, never the argument, so nothing is written there.
      if (type !== 'graphql') holder.tenant = decision.tenant;
      if (location !== 'body[]') recordTenant(context, decision.tenant);
    }
    return true;
  }

  private fromHttp(context: ExecutionContext, location: TenantLocation) {
    const req = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders; query: Target; body: unknown }>();
    const token = tokenOf(req.headers);
    if (location === 'query') {
      // Express 5 exposes query through a getter; give this request its own copy to fill in.
      const query = { ...req.query };
      Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true, enumerable: true });
      return { token, target: query as unknown };
    }
    return { token, target: req.body };
  }

  /** A WebSocket message: the token its socket was upgraded with; the message's data names the tenant. */
  private fromSocket(context: ExecutionContext) {
    const ws = context.switchToWs();
    return { token: socketToken(ws.getClient<object>()), target: ws.getData<unknown>() };
  }

  private fromKafka(context: ExecutionContext) {
    const message = context.switchToRpc().getContext<{ getMessage(): { headers?: Record<string, unknown> } }>().getMessage();
    const raw = message.headers?.['x-auth-token'];
    const token = raw === undefined ? undefined : String(Array.isArray(raw) ? raw[0] : raw);
    return { token, target: context.switchToRpc().getData() as unknown };
  }

  /** A GraphQL field: the token of the HTTP request that carries the query, the field's arguments. */
  private fromGraphql(context: ExecutionContext) {
    const [, args, graphqlContext] = context.getArgs<[unknown, unknown, { req: { headers: IncomingHttpHeaders } }]>();
    return { token: tokenOf(graphqlContext.req.headers), target: args };
  }

  /** The objects that name the call's tenant, with their path in the request. */
  private holdersOf(target: unknown, location: TenantLocation): { holder: unknown; field: string }[] {
    if (location === 'body[]') return Array.isArray(target) ? target.map((holder, i) => ({ holder, field: `[${i}]` })) : [];
    if (location === 'args.dsl.from') {
      const dsl = isPlainObject(target) ? target.dsl : undefined;
      if (!isPlainObject(dsl)) return [{ holder: dsl, field: 'dsl' }];
      return [{ holder: dsl.from === undefined ? {} : dsl.from, field: 'dsl.from' }];
    }
    if (location !== 'body.from') return [{ holder: target, field: '' }];
    if (!isPlainObject(target)) return [{ holder: target, field: '' }];
    if (target.from === undefined) target.from = {};
    return [{ holder: target.from, field: 'from' }];
  }
}

const isPlainObject = (v: unknown): v is Target => typeof v === 'object' && v !== null && !Array.isArray(v);

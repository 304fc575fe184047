import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { DEFAULT_TENANT, NO_CONTROL_CHARS } from '@eventlog/contracts';
import { Grant, grants } from './token-registry';

export type TenantDecision = { ok: true; tenant: string } | { ok: false; status: 400 | 403; field: string; message: string };

/**
 * The one function that decides which tenant a request reads or writes (contract 4): the tenant it
 * names, else the token's only tenant, else `default`. Anything named that is not a tenant's name
 * (null, a number, an array, an ill-formed string) is refused rather than taken as absent, and a
 * token reads only what it grants. Naming EVERY_TENANT (`*`) is granted only by a token that
 * grants every tenant, or on the open API; the routes that read every tenant take it so.
 */
export function decideTenant(requested: unknown, field: string, grant: Grant | undefined): TenantDecision {
  if (requested === undefined) {
    const only = grant && grant.tenants.size === 1 && !grant.tenants.has('*') ? [...grant.tenants][0] : DEFAULT_TENANT;
    return grant && !grants(grant, only) ? forbidden(only) : { ok: true, tenant: only };
  }
  if (typeof requested !== 'string' || requested.length < 1 || requested.length > 64) {
    return { ok: false, status: 400, field, message: `${field} must be a string of 1 to 64 characters` };
  }
  if (!NO_CONTROL_CHARS.test(requested) || !requested.isWellFormed()) {
    return { ok: false, status: 400, field, message: `${field} must be well-formed text without control characters` };
  }
  return grant && !grants(grant, requested) ? forbidden(requested) : { ok: true, tenant: requested };
}

const forbidden = (tenant: string): TenantDecision => ({
  ok: false,
  status: 403,
  field: 'tenant',
  message: `the token does not grant tenant ${tenant}`,
});

/**
 * The decided tenant of each request: keyed by the HTTP request, by the Kafka message's context, or
 * by a WebSocket message's data (the guard refuses data that is not an object), or by one field of a
 * GraphQL query (each field names its own tenant).
 */
const decided = new WeakMap<object, string>();

const requestKey = (context: ExecutionContext): object => {
  const type = context.getType<'http' | 'rpc' | 'ws' | 'graphql'>();
  if (type === 'rpc') return context.switchToRpc().getContext() as object;
  if (type === 'ws') return context.switchToWs().getData() as object;
  if (type === 'graphql') return graphqlFieldKey(context);
  return context.switchToHttp().getRequest() as object;
};

type ResponsePath = { prev: ResponsePath | undefined; key: string | number };
const graphqlFields = new WeakMap<object, Map<string, object>>();

/**
 * One key per field of one GraphQL request: its response path (the field's name or alias) inside
 * the request's context object, which lives exactly as long as the request.
 */
function graphqlFieldKey(context: ExecutionContext): object {
  const [, , graphqlContext, info] = context.getArgs<[unknown, unknown, object, { path: ResponsePath }]>();
  let path = '';
  for (let at: ResponsePath | undefined = info.path; at; at = at.prev) path = path ? `${at.key}.${path}` : String(at.key);
  let fields = graphqlFields.get(graphqlContext);
  if (!fields) graphqlFields.set(graphqlContext, (fields = new Map()));
  let key = fields.get(path);
  if (!key) fields.set(path, (key = {}));
  return key;
}

export function recordTenant(context: ExecutionContext, tenant: string): void {
  decided.set(requestKey(context), tenant);
}

/**
 * The tenant the access guard decided for this request. Handlers take their tenant from here and
 * never from a request field, so no field can name a tenant the guard did not decide.
 */
export const RequestTenant = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const tenant = decided.get(requestKey(context));
  if (tenant === undefined) throw new Error(`${context.getClass().name}.${context.getHandler().name} reads a tenant but has no @TenantIn`);
  return tenant;
});

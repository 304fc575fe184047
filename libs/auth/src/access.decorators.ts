import { SetMetadata } from '@nestjs/common';
import { AccessScope } from '@eventlog/config';

/**
 * Where a handler's request names its tenant: the query string, the body (or Kafka request value),
 * the DSL's `from`, or each item of a body array; for a GraphQL field, its arguments or the `from`
 * of its `dsl` argument. Marks the handler as an API call that needs a token.
 */
export type TenantLocation = 'query' | 'body' | 'body.from' | 'body[]' | 'args' | 'args.dsl.from';
export const TENANT_IN = 'eventlog:tenant-in';
export const TenantIn = (location: TenantLocation) => SetMetadata(TENANT_IN, location);

export const REQUIRES_SCOPE = 'eventlog:requires-scope';
/** The scope a handler needs; `read` when not given. */
export const RequiresScope = (scope: AccessScope) => SetMetadata(REQUIRES_SCOPE, scope);

import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { IncomingHttpHeaders } from 'node:http';
import { TENANT_IN } from './access.decorators';
import { tokenOf } from './request-token';
import { TokenRegistry } from './token-registry';

/**
 * Rate limit per access token on HTTP API calls (@nestjs/throttler), counted against the token's
 * digest-derived id; each top-level field of a GraphQL query counts as one call, as the REST
 * request it stands for would. Off while the API is open; Kafka request/reply is paced by the
 * consumer group.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly registry: TokenRegistry,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const apiCall = this.reflector.get(TENANT_IN, context.getHandler()) !== undefined;
    return context.getType() === 'rpc' || !apiCall || !this.registry.enabled;
  }

  /** A GraphQL field's request and reply are the HTTP ones that carry its query. */
  protected override getRequestResponse(context: ExecutionContext) {
    if (context.getType<'graphql'>() !== 'graphql') return super.getRequestResponse(context);
    const { req, reply } = context.getArgByIndex<{ req: Record<string, unknown>; reply: Record<string, unknown> }>(2);
    return { req, res: reply };
  }

  protected override async getTracker(req: { headers: IncomingHttpHeaders }): Promise<string> {
    // The access guard ran first, so the token is valid here.
    return this.registry.authenticate(tokenOf(req.headers))?.id ?? 'anonymous';
  }
}

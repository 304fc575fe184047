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
 * digest-derived id. Off while the API is open; Kafka request/reply is paced by the consumer group.
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
    return context.getType() !== 'http' || !apiCall || !this.registry.enabled;
  }

  protected override async getTracker(req: { headers: IncomingHttpHeaders }): Promise<string> {
    // The access guard ran first, so the token is valid here.
    return this.registry.authenticate(tokenOf(req.headers))?.id ?? 'anonymous';
  }
}

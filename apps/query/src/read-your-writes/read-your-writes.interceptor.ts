import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable } from 'rxjs';
import { AccessScope, EventlogConfig } from '@eventlog/config';
import { REQUIRES_SCOPE, TENANT_IN } from '@eventlog/auth';
import { ApiError, errorBody } from '../errors/api-error';
import { DurabilityWaiter, Unmet } from './durability-waiter';
import { AFTER, MIN_POSITION, ReadConditions, takeReadConditions } from './read-conditions';

/**
 * Read-your-writes for every read, HTTP and request topics alike: a read (a handler marked
 * @TenantIn that needs the read scope) carrying `after=<topic>:<partition>:<offset>` or
 * `minPosition` runs only once ingest has made those records' outcomes durable and that position
 * is visible, or answers 504 after READ_WAIT_MS. Runs after the access guard (tenant and token
 * checked first) and before validation, which never sees the two parameters.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  private readonly ingestPattern?: RegExp;

  constructor(
    private readonly reflector: Reflector,
    private readonly config: EventlogConfig,
    private readonly waiter: DurabilityWaiter,
  ) {
    // Matched as ingest's consumer subscribes with it (kafkajs tests the pattern, unanchored).
    if (config.INGEST_TOPIC_PATTERN) this.ingestPattern = new RegExp(config.INGEST_TOPIC_PATTERN);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> | Promise<Observable<unknown>> {
    if (!this.isRead(context)) return next.handle();
    const holder = parametersOf(context);
    if (!holder) return next.handle();
    const conditions = takeReadConditions(holder, (topic) => this.isIngestTopic(topic));
    if (!conditions) return next.handle();
    return this.waitUntilDurable(conditions).then(() => next.handle());
  }

  private async waitUntilDurable(conditions: ReadConditions): Promise<void> {
    const unmet = await this.waiter.waitUntilDurable(conditions, this.config.READ_WAIT_MS);
    if (unmet.after.length > 0 || unmet.minPosition !== undefined) throw this.timedOut(unmet);
  }

  private isRead(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    if (this.reflector.get(TENANT_IN, handler) === undefined) return false;
    return (this.reflector.get<AccessScope | undefined>(REQUIRES_SCOPE, handler) ?? 'read') === 'read';
  }

  private isIngestTopic(topic: string): boolean {
    return this.config.INGEST_TOPICS.includes(topic) || (this.ingestPattern?.test(topic) ?? false);
  }

  private timedOut(unmet: Unmet): ApiError {
    const details = [
      ...unmet.after.map((r) => ({ field: AFTER, message: `${r.topic}:${r.partition}:${r.offset} has no durable outcome yet` })),
      ...(unmet.minPosition !== undefined ? [{ field: MIN_POSITION, message: `position ${unmet.minPosition} is not visible yet` }] : []),
    ];
    const message = `ingest has not caught up within ${this.config.READ_WAIT_MS} ms: ${details.map((d) => d.message).join('; ')}`;
    return new ApiError(errorBody(504, message, details));
  }
}

/**
 * Where a read's parameters are: the query string on HTTP (also for POST /v1/query, whose body is
 * the DSL), the request value on a request topic. Anything else (a value that is not a JSON
 * object) is left to validation to refuse.
 */
function parametersOf(context: ExecutionContext): Record<string, unknown> | undefined {
  const holder = context.getType() === 'rpc' ? context.switchToRpc().getData() : context.switchToHttp().getRequest<{ query?: unknown }>().query;
  return typeof holder === 'object' && holder !== null && !Array.isArray(holder) ? (holder as Record<string, unknown>) : undefined;
}

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { HttpRequest, HttpResponse } from '../http/http-types';
import { Histogram, register } from 'prom-client';
import { Observable, tap } from 'rxjs';
import { toErrorBody } from '../errors/api-error';

const NAME = 'eventlog_query_duration_seconds';
const duration =
  (register.getSingleMetric(NAME) as Histogram<'transport' | 'route' | 'status'> | undefined) ??
  new Histogram({
    name: NAME,
    help: 'Query API latency by transport (http, kafka, graphql), route template, request topic or GraphQL field, and status code',
    labelNames: ['transport', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

/**
 * Times every HTTP route (by its template, e.g. /v1/events/:id), every Kafka request topic and
 * every GraphQL query field (route `Query.events`).
 */
@Injectable()
export class QueryMetricsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const stop = duration.startTimer();
    const timed = (transport: string, route: string) =>
      next.handle().pipe(
        tap({
          next: () => stop({ transport, route, status: '200' }),
          error: (err) => stop({ transport, route, status: String(toErrorBody(err).statusCode) }),
        }),
      );
    const type = context.getType<'http' | 'rpc' | 'graphql'>();
    if (type === 'rpc') return timed('kafka', context.switchToRpc().getContext<KafkaContext>().getTopic());
    if (type === 'graphql') return timed('graphql', `Query.${context.getArgByIndex<{ fieldName: string }>(3).fieldName}`);
    const req = context.switchToHttp().getRequest<HttpRequest>();
    const res = context.switchToHttp().getResponse<HttpResponse>();
    const route = `${req.method} ${req.routeOptions?.url ?? 'unmatched'}`;
    // The status is final only once the response is written (errors pass the filter first).
    res.raw.once('finish', () => stop({ transport: 'http', route, status: String(res.raw.statusCode) }));
    return next.handle();
  }
}

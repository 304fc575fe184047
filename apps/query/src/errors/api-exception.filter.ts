import { ArgumentsHost, Catch, ExceptionFilter, HttpServer, Logger } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { toErrorBody } from './api-error';
import { toGraphqlError } from './graphql-error';

/**
 * The one exception filter of the app, for every transport: HTTP gets the contract error body with
 * its status; a Kafka request gets the same body, which Nest puts in the reply's kafka_nest-err
 * header (as an RpcException's error would be); a GraphQL field gets it as its error.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  constructor(private readonly http: HttpServer) {}

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    const body = toErrorBody(exception);
    // A 504 is ingest not caught up with a read's after= or minPosition: the caller's to retry, not a fault here.
    if (body.statusCode >= 500 && body.statusCode !== 504) this.logger.error(exception);
    if (host.getType() === 'rpc') return throwError(() => body);
    if (host.getType<'graphql'>() === 'graphql') throw toGraphqlError(body);
    this.http.reply(host.switchToHttp().getResponse(), body, body.statusCode);
  }
}

import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { ApiErrorBody } from '@eventlog/contracts';
import { errorBody, toErrorBody } from '../errors/api-error';

/** The error message a socket is sent: the contract's error body, as HTTP would answer it. */
export const socketError = (body: ApiErrorBody) => JSON.stringify({ event: 'error', data: body });

/**
 * Nest's own WebSocket filter emits errors on the server-side object, which a plain `ws` client
 * never sees: this one sends each failed message's error to its socket, and the socket stays open.
 */
@Catch()
export class LiveSocketErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(LiveSocketErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost) {
    const socket = host.switchToWs().getClient<WebSocket>();
    const error = exception instanceof WsException ? exception.getError() : undefined;
    const body = typeof error === 'object' && error !== null ? (error as ApiErrorBody) : typeof error === 'string' ? errorBody(403, error) : toErrorBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception);
    if (socket.readyState === socket.OPEN) socket.send(socketError(body));
  }
}

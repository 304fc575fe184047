import { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageMappingProperties } from '@nestjs/websockets/gateway-metadata-explorer';
import type { IncomingMessage } from 'node:http';
import { EMPTY, Observable, of } from 'rxjs';
import { TokenRegistry, upgradeTokenOf } from '@eventlog/auth';
import { parseExactJson } from '@eventlog/contracts';
import { errorBody } from '../errors/api-error';

/** Bytes of one message a client may send (subscribe and notify are far smaller); larger closes with 1009. */
const MAX_MESSAGE_BYTES = 64 * 1024;

const refuse = (field: string, message: string): Observable<unknown> => of({ event: 'error', data: errorBody(400, message, [{ field, message }]) });

/**
 * The `ws` adapter on the query app's own HTTP server (Fastify's), with what the API needs:
 * - with AUTH_TOKENS set, an upgrade without a valid token is refused with 401 before the socket
 *   opens; each message is then authorised again by the access guard (tenant, scope);
 * - messages are `{"event": …, "data": …}` read as exact JSON (as HTTP bodies are); one that is not
 *   JSON, not that shape, or names an unknown event is answered with an `error` message, where
 *   Nest's adapter would drop it without a word.
 */
export class LiveSocketAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly tokens: TokenRegistry,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, any> & { path?: string } = {}) {
    return super.create(port, {
      ...options,
      maxPayload: MAX_MESSAGE_BYTES,
      verifyClient: ({ req }: { req: IncomingMessage }, done: (ok: boolean, status?: number, message?: string) => void) => {
        if (!this.tokens.enabled) return done(true);
        const token = upgradeTokenOf(req);
        if (this.tokens.authenticate(token)) return done(true);
        done(false, 401, token ? 'invalid access token' : 'an access token is required (X-Auth-Token, Authorization: Bearer, or ?access_token=)');
      },
    });
  }

  override bindMessageHandler(
    buffer: { data: Buffer | ArrayBuffer | Buffer[] },
    handlers: Map<string, MessageMappingProperties>,
    transform: (data: any) => Observable<any>,
  ): Observable<any> {
    const raw = Array.isArray(buffer.data) ? Buffer.concat(buffer.data) : Buffer.from(buffer.data as Buffer);
    const parsed = parseExactJson(raw, 'message');
    // A field inside `data` is named as the same field of an HTTP body is (`stream`, not `data.stream`).
    if (!parsed.ok) return refuse(parsed.field.replace(/^data(\.|$)/, (_, dot) => (dot ? '' : 'body')), parsed.message);
    const message = parsed.value as Record<string, unknown> | null;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return refuse('message', 'a message must be a JSON object {"event": …, "data": …}');
    const extra = Object.keys(message).find((k) => k !== 'event' && k !== 'data');
    if (extra !== undefined) return refuse(extra, `property ${extra} should not exist (a message is {"event": …, "data": …})`);
    const handler = typeof message.event === 'string' ? handlers.get(message.event) : undefined;
    if (!handler) return refuse('event', `event must be one of ${[...handlers.keys()].join(', ')}`);
    try {
      return transform(handler.callback(message.data, message.event));
    } catch {
      return EMPTY;
    }
  }
}

import { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** The access token a request carries: `X-Auth-Token`, else `Authorization: Bearer`. */
export function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-auth-token'];
  return (Array.isArray(header) ? header[0] : header) ?? /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
}

/**
 * A WebSocket upgrade's token: the headers', else the `access_token` query parameter, since a
 * browser's WebSocket cannot set headers (docs/decisions/029). Only the upgrade reads the query.
 */
export function upgradeTokenOf(req: IncomingMessage): string | undefined {
  return tokenOf(req.headers) ?? (new URL(req.url ?? '/', 'ws://upgrade').searchParams.get('access_token') || undefined);
}

/** The token each open WebSocket was upgraded with; its messages are authorised with it. */
const socketTokens = new WeakMap<object, string | undefined>();

export function rememberSocketToken(socket: object, token: string | undefined): void {
  socketTokens.set(socket, token);
}

export const socketToken = (socket: object): string | undefined => socketTokens.get(socket);

// The console's live connection: /v1/ws, stored events as they are recorded and the tenant's
// fire-and-forget notifications (progress). A browser's WebSocket cannot send headers, so the token
// goes in the query string (access_token), which only the upgrade reads.
import { ApiEvent, session } from './api';

export interface Notification {
  id: string;
  tenant: string;
  type: string;
  stream: string | null;
  requestId: string | null;
  nodeId: string | null;
  status: string | null;
  progress: number | null;
  message: string | null;
  notifiedAt: string;
}

export interface LiveHandlers {
  event?: (e: ApiEvent) => void;
  notification?: (n: Notification) => void;
  state: (s: string) => void;
}

/**
 * Subscribes with the filters (the SSE feed's) until aborted; reconnects after a second, resuming
 * after the last position seen, so no stored event is missed or repeated (notifications sent while
 * disconnected are missed: they are not stored).
 */
export function followSocket(filter: { stream?: string; streamPrefix?: string; type?: string }, on: LiveHandlers, signal: AbortSignal) {
  let last: number | undefined;
  let socket: WebSocket | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    if (signal.aborted) return;
    const url = new URL('/v1/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (session.token) url.searchParams.set('access_token', session.token);
    const ws = (socket = new WebSocket(url));
    ws.onopen = () => {
      const data = { ...filter, tenant: session.tenant || undefined, fromPosition: last };
      ws.send(JSON.stringify({ event: 'subscribe', data }));
    };
    ws.onmessage = (m) => {
      const { event, data } = JSON.parse(String(m.data));
      if (event === 'subscribed') {
        last ??= data.position;
        on.state('connected');
      } else if (event === 'event') {
        last = data.position;
        on.event?.(data as ApiEvent);
      } else if (event === 'notification') on.notification?.(data as Notification);
      else if (event === 'error') on.state(`refused: ${data.message}`);
    };
    ws.onclose = () => {
      if (signal.aborted) return;
      on.state('reconnecting');
      retry = setTimeout(open, 1000);
    };
  };
  signal.addEventListener('abort', () => {
    clearTimeout(retry);
    socket?.close();
  });
  open();
}

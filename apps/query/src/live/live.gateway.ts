import { UseFilters, UseGuards } from '@nestjs/common';
import { ConnectedSocket, MessageBody, OnGatewayConnection, OnGatewayDisconnect, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Gauge, register } from 'prom-client';
import type { WebSocket } from 'ws';
import { AccessGuard, rememberSocketToken, RequestTenant, RequiresScope, TenantIn, upgradeTokenOf } from '@eventlog/auth';
import { EventlogConfig } from '@eventlog/config';
import { Notification, NotifyDto } from '@eventlog/contracts';
import { LiveFeedRepository } from '@eventlog/store';
import { NotifyService } from '../notify/notify.service';
import { createValidationPipe } from '../validation/validation.pipe';
import { LiveHub } from './live-hub';
import { LiveSocketErrorFilter } from './live-socket-error.filter';
import { LiveSubscription } from './live-subscription';
import { LiveSubscriptionDto } from './live-subscription.dto';

const connections =
  (register.getSingleMetric('eventlog_ws_connections') as Gauge | undefined) ??
  new Gauge({ name: 'eventlog_ws_connections', help: 'Open WebSocket connections on /v1/ws' });

/**
 * `/v1/ws`: the live feed over a WebSocket (the SSE feed's filters and resume rule), with the
 * tenant's fire-and-forget notifications, and `notify` messages that broadcast one. The guard and
 * the validation pipe are the HTTP routes' (global enhancers do not reach gateways).
 */
@WebSocketGateway({ path: '/v1/ws' })
@UseGuards(AccessGuard)
@UseFilters(LiveSocketErrorFilter)
export class LiveGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly subscriptions = new WeakMap<WebSocket, LiveSubscription>();
  private readonly alive = new WeakSet<WebSocket>();
  /** Each socket's TCP connection: ws writes to the one the upgrade came on. */
  private readonly connectionOf = new WeakMap<WebSocket, Duplex>();

  constructor(
    private readonly config: EventlogConfig,
    private readonly feed: LiveFeedRepository,
    private readonly hub: LiveHub,
    private readonly notifications: NotifyService,
  ) {}

  handleConnection(socket: WebSocket, request: IncomingMessage) {
    rememberSocketToken(socket, upgradeTokenOf(request));
    this.connectionOf.set(socket, request.socket);
    connections.inc();
    // A ping each heartbeat keeps proxies from closing an idle socket; no pong since the last one: gone.
    this.alive.add(socket);
    socket.on('pong', () => this.alive.add(socket));
    const heartbeat = setInterval(() => {
      if (!this.alive.delete(socket)) return socket.terminate();
      socket.ping();
    }, this.config.LIVE_HEARTBEAT_MS);
    socket.once('close', () => clearInterval(heartbeat));
  }

  handleDisconnect(socket: WebSocket) {
    connections.dec();
    this.subscriptions.get(socket)?.close();
    this.subscriptions.delete(socket);
  }

  /** Starts (or replaces) the socket's subscription; answered `subscribed`, then `event` messages. */
  @TenantIn('body')
  @SubscribeMessage('subscribe')
  async subscribe(@MessageBody(createValidationPipe()) body: LiveSubscriptionDto, @RequestTenant() tenant: string, @ConnectedSocket() socket: WebSocket) {
    this.subscriptions.get(socket)?.close();
    const from = body.fromPosition ?? (await this.feed.head());
    const filter = { tenant, stream: body.stream, streamPrefix: body.streamPrefix, types: body.type };
    const subscription = new LiveSubscription(socket, this.connectionOf.get(socket)!, filter, from, this.hub, this.feed, { slowClientMs: this.config.LIVE_SLOW_CLIENT_MS });
    this.subscriptions.set(socket, subscription);
    if (socket.readyState === socket.OPEN) subscription.start();
  }

  /** Ends the socket's subscription; answered with the position to resume from. */
  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: WebSocket) {
    const subscription = this.subscriptions.get(socket);
    subscription?.close();
    this.subscriptions.delete(socket);
    return { event: 'unsubscribed', data: { position: subscription?.position ?? null } };
  }

  /** POST /v1/notify over the socket; answered `notified` with the notification broadcast. */
  @TenantIn('body')
  @RequiresScope('publish')
  @SubscribeMessage('notify')
  async notify(@MessageBody(createValidationPipe()) body: NotifyDto, @RequestTenant() tenant: string): Promise<{ event: 'notified'; data: Notification }> {
    return { event: 'notified', data: await this.notifications.notify(tenant, body) };
  }
}

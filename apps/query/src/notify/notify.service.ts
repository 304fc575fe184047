import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Counter, register } from 'prom-client';
import { Notification, NotifyDto } from '@eventlog/contracts';
import { AppendNotifications } from '@eventlog/store';

const sent =
  (register.getSingleMetric('eventlog_notifications_sent_total') as Counter | undefined) ??
  new Counter({ name: 'eventlog_notifications_sent_total', help: 'Fire-and-forget notifications broadcast (POST /v1/notify and socket notify messages)' });

/**
 * Fire-and-forget notifications: one Postgres NOTIFY, which every query instance's LISTEN
 * connection receives and hands to its live subscribers. Nothing is stored or produced to Kafka
 * (docs/decisions/029).
 */
@Injectable()
export class NotifyService {
  constructor(private readonly notifications: AppendNotifications) {}

  async notify(tenant: string, body: NotifyDto): Promise<Notification> {
    const notification: Notification = {
      id: randomUUID(),
      tenant,
      type: body.type ?? 'progress',
      stream: body.stream ?? null,
      requestId: body.requestId ?? null,
      nodeId: body.nodeId ?? null,
      status: body.status ?? null,
      progress: body.progress ?? null,
      message: body.message ?? null,
      notifiedAt: new Date().toISOString(),
    };
    await this.notifications.broadcast(JSON.stringify(notification));
    sent.inc();
    return notification;
  }
}

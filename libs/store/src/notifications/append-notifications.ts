import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { EventlogConfig } from '@eventlog/config';
import { APPENDED_CHANNEL } from './appended-channel';
import { INGESTED_CHANNEL } from './ingested-channel';

export type AppendListener = () => void;

/**
 * One LISTEN connection per process, on the channel every append notifies at commit and on the one
 * ingest notifies when it records durable offsets. Listeners are called on each notification of
 * their channel, and once more after a reconnect, since notifications sent while the connection was
 * down are lost: a listener must then look for itself.
 */
@Injectable()
export class AppendNotifications implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AppendNotifications.name);
  private readonly listeners = new Set<AppendListener>();
  private readonly offsetListeners = new Set<AppendListener>();
  private client?: Client;
  private stopping = false;

  constructor(@Inject(EventlogConfig) private readonly config: EventlogConfig) {}

  /** Called on every append's commit. Returns the function that unsubscribes. */
  subscribe(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called whenever ingest has recorded newly durable offsets. Returns the function that unsubscribes. */
  subscribeToOffsets(listener: AppendListener): () => void {
    this.offsetListeners.add(listener);
    return () => this.offsetListeners.delete(listener);
  }

  async onModuleInit() {
    await this.connect();
  }

  async onApplicationShutdown() {
    this.stopping = true;
    await this.client?.end().catch(() => undefined);
  }

  private notify(channel?: string) {
    if (channel !== INGESTED_CHANNEL) for (const listener of this.listeners) listener();
    if (channel !== APPENDED_CHANNEL) for (const listener of this.offsetListeners) listener();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL });
    client.on('error', (err) => this.logger.warn(`LISTEN connection lost: ${err.message}`));
    client.on('notification', ({ channel }) => this.notify(channel));
    client.on('end', () => {
      if (this.client === client && !this.stopping) void this.reconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${APPENDED_CHANNEL}; LISTEN ${INGESTED_CHANNEL}`);
    this.client = client;
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)));
      try {
        await this.connect();
        this.notify(); // both channels: what was sent meanwhile is lost
        return;
      } catch (err) {
        this.logger.warn(`LISTEN ${APPENDED_CHANNEL} failed (${(err as Error).message}); retrying`);
      }
    }
  }
}

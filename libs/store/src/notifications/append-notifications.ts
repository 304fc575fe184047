import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'pg';
import { EventlogConfig } from '@eventlog/config';
import { APPENDED_CHANNEL, BROADCAST_CHANNEL, MAX_BROADCAST_BYTES } from './appended-channel';
import { INGESTED_CHANNEL } from './ingested-channel';
import { PG_POOL } from '../pg-pool.provider';

export type AppendListener = () => void;
export type BroadcastListener = (payload: string) => void;

/**
 * One LISTEN connection per process: on the channel every append notifies at commit, the one
 * ingest notifies when it records durable offsets, and the broadcast channel. Append and offset
 * listeners are called on each notification of their channel, and once more after a reconnect,
 * since notifications sent while the connection was down are lost: a listener must then look for
 * itself. Broadcasts are fire-and-forget: one sent while the connection is down is lost.
 */
@Injectable()
export class AppendNotifications implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AppendNotifications.name);
  private readonly listeners = new Set<AppendListener>();
  private readonly offsetListeners = new Set<AppendListener>();
  private readonly broadcastListeners = new Set<BroadcastListener>();
  private client?: Client;
  private stopping = false;

  constructor(
    @Inject(EventlogConfig) private readonly config: EventlogConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

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

  /** Called with the payload of every broadcast, this instance's own included; returns the unsubscribe. */
  subscribeBroadcasts(listener: BroadcastListener): () => void {
    this.broadcastListeners.add(listener);
    return () => this.broadcastListeners.delete(listener);
  }

  /** NOTIFYs every listening process (this one too); the payload must fit Postgres's limit. */
  async broadcast(payload: string): Promise<void> {
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_BROADCAST_BYTES) throw new Error(`broadcast payload of ${bytes} bytes exceeds ${MAX_BROADCAST_BYTES}`);
    await this.pool.query('SELECT pg_notify($1, $2)', [BROADCAST_CHANNEL, payload]);
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
    client.on('notification', (message) => {
      if (message.channel === BROADCAST_CHANNEL) this.broadcastListeners.forEach((l) => l(message.payload ?? ''));
      else this.notify(message.channel);
    });
    client.on('end', () => {
      if (this.client === client && !this.stopping) void this.reconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${APPENDED_CHANNEL}; LISTEN ${INGESTED_CHANNEL}; LISTEN ${BROADCAST_CHANNEL}`);
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

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventlogConfig } from '@eventlog/config';
import { DEFAULT_TENANT, DLQ_HEADERS, keyOf, StoredEvent } from '@eventlog/contracts';
import { KAFKA } from '@eventlog/kafka';
import { AppendNotifications, EventQueryRepository } from '@eventlog/store';
import { consumerReady } from '../kafka/consumer-ready';

export type Outcome =
  | { kind: 'persisted'; event: StoredEvent }
  | { kind: 'rejected'; code: string; message: string }
  | { kind: 'pending' };

interface Waiter {
  tenant: string;
  id: string;
  outcome?: Outcome;
  settle: () => void;
}

export interface Watch {
  /** Every key's outcome once all are known or timeoutMs has passed (then `pending`). */
  outcomes(timeoutMs: number): Promise<Outcome[]>;
  cancel(): void;
}

/**
 * Tells publishers with ?wait=true what became of their events, without polling. Persisted: ingest
 * notifies on every commit, the process's one LISTEN connection (AppendNotifications) passes it on,
 * and each notification (coalesced while a lookup runs) looks up the waited-for ids by (tenant, id). Rejected: a consumer
 * of the dead-letter topic, in a group of this instance's own starting at the end, matches the
 * original record's id.
 */
@Injectable()
export class PersistenceWaiter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PersistenceWaiter.name);
  private readonly waiters = new Map<string, Set<Waiter>>();
  private unsubscribe?: () => void;
  private dlq?: Consumer;
  private checking = false;
  private checkAgain = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: EventlogConfig,
    private readonly events: EventQueryRepository,
    private readonly notifications: AppendNotifications,
  ) {}

  async onApplicationBootstrap() {
    // Each commit's notification (and a reconnect of the LISTEN connection) looks again.
    this.unsubscribe = this.notifications.subscribe(() => this.check());
    await this.consumeDeadLetters();
  }

  /** Starts watching; call before producing, so no outcome can slip past. */
  watch(keys: { tenant?: string; id: string }[]): Watch {
    const mine = keys.map((k) => {
      const waiter: Waiter = { tenant: k.tenant ?? DEFAULT_TENANT, id: k.id, settle: () => undefined };
      const key = keyOf(waiter.tenant, waiter.id);
      this.waiters.set(key, (this.waiters.get(key) ?? new Set()).add(waiter));
      return waiter;
    });
    const cancel = () => {
      for (const w of mine) {
        const key = keyOf(w.tenant, w.id);
        this.waiters.get(key)?.delete(w);
        if (this.waiters.get(key)?.size === 0) this.waiters.delete(key);
      }
    };
    return {
      cancel,
      outcomes: async (timeoutMs) => {
        // A duplicate of an event stored earlier is never notified again: look once now.
        this.check();
        const settled = mine.map((w) => new Promise<void>((resolve) => (w.outcome ? resolve() : (w.settle = resolve))));
        const timer = sleep(timeoutMs, undefined, { ref: false });
        await Promise.race([Promise.all(settled), timer]);
        cancel();
        return mine.map((w) => w.outcome ?? { kind: 'pending' });
      },
    };
  }

  private resolve(tenant: string, id: string, outcome: Outcome) {
    for (const w of this.waiters.get(keyOf(tenant, id)) ?? []) {
      if (w.outcome) continue;
      w.outcome = outcome;
      w.settle();
    }
  }

  /** Looks up every waited-for id; if asked again meanwhile, looks once more when done. */
  private check() {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    const keys = [...this.waiters.values()].flatMap((set) => [...set].filter((w) => !w.outcome).slice(0, 1));
    if (keys.length === 0) return;
    this.checking = true;
    this.events
      .findByIds(keys.map((w) => ({ tenant: w.tenant, id: w.id })))
      .then((found) => found.forEach((event) => this.resolve(event.tenant, event.id, { kind: 'persisted', event })))
      .catch((err) => this.logger.warn(`lookup of awaited events failed: ${(err as Error).message}`))
      .finally(() => {
        this.checking = false;
        if (this.checkAgain) {
          this.checkAgain = false;
          this.check();
        }
      });
  }

  private async consumeDeadLetters(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `${this.config.QUERY_GROUP_ID}.wait.${randomUUID()}`,
      // A dead letter ends the fetch wait at once; the wait bounds only idle fetches (decision 037).
      maxWaitTimeInMs: 500,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
    });
    const ready = consumerReady(consumer, 60000, 'dead-letter consumer');
    ready.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    await consumer.connect();
    await consumer.subscribe({ topic: this.config.DLQ_TOPIC, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (this.waiters.size === 0 || !message.value) return;
        let record: { id?: unknown; tenant?: unknown };
        try {
          record = JSON.parse(message.value.toString('utf8'));
        } catch {
          return; // not one of ours: we only publish JSON
        }
        if (typeof record?.id !== 'string') return;
        const tenant = typeof record.tenant === 'string' ? record.tenant : DEFAULT_TENANT;
        this.resolve(tenant, record.id, {
          kind: 'rejected',
          code: message.headers?.[DLQ_HEADERS.code]?.toString() ?? 'UNKNOWN',
          message: message.headers?.[DLQ_HEADERS.message]?.toString() ?? '',
        });
      },
    });
    this.dlq = consumer;
    await ready;
  }

  async onApplicationShutdown() {
    this.unsubscribe?.();
    await this.dlq?.disconnect();
  }
}

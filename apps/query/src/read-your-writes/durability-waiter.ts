import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { keyOf } from '@eventlog/contracts';
import { AppendNotifications, Durability, DurabilityRepository } from '@eventlog/store';
import { ReadConditions, WrittenRecord } from './read-conditions';

interface Waiter {
  conditions: ReadConditions;
  settle: () => void;
}

/**
 * Tells a read when what it waits for is durable and visible: records ingest has given their
 * outcome (ingest_offsets), a position committed (event_position). What has been seen once is
 * remembered (both only move forward), so a read of something long durable costs no query. Else the
 * read waits, without polling: each notification of the process's one LISTEN connection (offsets
 * recorded, events appended, or a reconnect) looks once for every waiting read (coalesced while a
 * lookup runs), as the publish waiter does.
 */
@Injectable()
export class DurabilityWaiter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DurabilityWaiter.name);
  /** Per partition (topic|partition): the offset below which every record is known durable. */
  private readonly durableBelow = new Map<string, bigint>();
  private visiblePosition = 0;
  private readonly waiters = new Set<Waiter>();
  private unsubscribe: (() => void)[] = [];
  private checking = false;
  private checkAgain = false;

  constructor(
    private readonly repository: DurabilityRepository,
    private readonly notifications: AppendNotifications,
  ) {}

  onApplicationBootstrap() {
    this.unsubscribe = [
      this.notifications.subscribeToOffsets(() => this.check((w) => w.conditions.after.length > 0)),
      this.notifications.subscribe(() => this.check((w) => w.conditions.minPosition !== undefined)),
    ];
  }

  onApplicationShutdown() {
    this.unsubscribe.forEach((stop) => stop());
  }

  /** Resolves with what is still not durable once all is, or after `timeoutMs` ([] when all is). */
  async waitUntilDurable(conditions: ReadConditions, timeoutMs: number): Promise<Unmet> {
    if (this.met(conditions)) return NOTHING_UNMET;
    const waiter: Waiter = { conditions, settle: () => undefined };
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        waiter.settle = resolve;
        timer = setTimeout(resolve, timeoutMs);
        this.waiters.add(waiter);
        this.check(() => true);
      });
    } finally {
      clearTimeout(timer);
      this.waiters.delete(waiter);
    }
    return this.unmet(conditions);
  }

  private met(conditions: ReadConditions): boolean {
    return (
      (conditions.minPosition === undefined || conditions.minPosition <= this.visiblePosition) &&
      conditions.after.every((r) => this.isDurable(r))
    );
  }

  private isDurable(record: WrittenRecord): boolean {
    const below = this.durableBelow.get(keyOf(record.topic, record.partition));
    return below !== undefined && record.offset < below;
  }

  private unmet(conditions: ReadConditions): Unmet {
    return {
      after: conditions.after.filter((r) => !this.isDurable(r)),
      minPosition: conditions.minPosition !== undefined && conditions.minPosition > this.visiblePosition ? conditions.minPosition : undefined,
    };
  }

  /** One lookup for every waiting read that `concerned` picks; if asked again meanwhile, once more when done. */
  private check(concerned: (w: Waiter) => boolean) {
    if (![...this.waiters].some(concerned)) return;
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    const partitions = new Map<string, { topic: string; partition: number }>();
    for (const w of this.waiters) for (const r of w.conditions.after) partitions.set(keyOf(r.topic, r.partition), r);
    this.repository
      .durability([...partitions.values()])
      .then((seen) => this.learn(seen))
      .catch((err) => this.logger.warn(`lookup of durable offsets failed: ${(err as Error).message}`))
      .finally(() => {
        this.checking = false;
        if (this.checkAgain) {
          this.checkAgain = false;
          this.check(() => true);
        }
      });
  }

  private learn(seen: Durability) {
    this.visiblePosition = Math.max(this.visiblePosition, seen.lastPosition);
    for (const o of seen.offsets) {
      const key = keyOf(o.topic, o.partition);
      if (o.nextOffset > (this.durableBelow.get(key) ?? -1n)) this.durableBelow.set(key, o.nextOffset);
    }
    for (const w of this.waiters) if (this.met(w.conditions)) w.settle();
  }
}

/** What a read waited for in vain. */
export interface Unmet {
  after: WrittenRecord[];
  minPosition?: number;
}

const NOTHING_UNMET: Unmet = { after: [] };

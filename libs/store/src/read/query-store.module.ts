import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import { EventlogConfig } from '@eventlog/config';
import { PG_POOL } from '../pg-pool.provider';
import { AppendNotifications } from '../notifications/append-notifications';
import { LiveFeedRepository } from './live-feed.repository';
import { DurabilityRepository } from './durability.repository';
import { StoreModule } from '../store.module';
import { DslQueryRepository } from '../dsl/dsl-query.repository';
import { DeadLetterRepository } from './dead-letter.repository';
import { EnrollRepository } from '../enroll/enroll.repository';
import { EventQueryRepository } from './event-query.repository';
import { StatsQueryRepository } from './stats-query.repository';
import { StreamQueryRepository } from './stream-query.repository';
import { TraceQueryRepository } from './trace-query.repository';
import { OpenChainQueryRepository } from './open-chain-query.repository';
import { GenericPlanReader } from '../generic-plan';

const repositories = [
  EventQueryRepository,
  StreamQueryRepository,
  TraceQueryRepository,
  OpenChainQueryRepository,
  DslQueryRepository,
  EnrollRepository,
  StatsQueryRepository,
  LiveFeedRepository,
  DurabilityRepository,
  AppendNotifications,
  DeadLetterRepository,
];

/** The read side of the store: one repository per kind of question (and the pool, for readers of its own). */
@Module({ imports: [StoreModule], providers: [...repositories, GenericPlanReader], exports: [...repositories, StoreModule] })
export class QueryStoreModule implements OnApplicationBootstrap {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly config: EventlogConfig,
  ) {}

  /**
   * Opens the whole pool before the app takes requests, so the first burst of concurrent queries
   * does not also wait for connection start-ups (each one a new Postgres backend with cold caches).
   * Postgres being away is not fatal here: readiness reports it, and the pool connects on demand.
   */
  async onApplicationBootstrap() {
    const clients = await Promise.all(
      Array.from({ length: this.config.DATABASE_POOL_SIZE }, () => this.pool.connect().catch(() => undefined)),
    );
    await Promise.all(clients.map((c) => c?.query('SELECT 1 FROM events LIMIT 0').catch(() => undefined)));
    clients.forEach((c) => c?.release());
  }
}

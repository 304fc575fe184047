import { Module } from '@nestjs/common';
import { AppendNotifications } from '../append-notifications';
import { LiveFeedRepository } from '../live-feed.repository';
import { StoreModule } from '../store.module';
import { DslQueryRepository } from './dsl-query.repository';
import { EventQueryRepository } from './event-query.repository';
import { StatsQueryRepository } from './stats-query.repository';
import { StreamQueryRepository } from './stream-query.repository';
import { TraceQueryRepository } from './trace-query.repository';

const repositories = [
  EventQueryRepository,
  StreamQueryRepository,
  TraceQueryRepository,
  DslQueryRepository,
  StatsQueryRepository,
  LiveFeedRepository,
  AppendNotifications,
];

/** The read side of the store: one repository per kind of question (and the pool, for readers of its own). */
@Module({ imports: [StoreModule], providers: repositories, exports: [...repositories, StoreModule] })
export class QueryStoreModule {}

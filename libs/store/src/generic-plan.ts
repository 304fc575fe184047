import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { EventlogConfig } from '@eventlog/config';
import { createPool } from './pg-pool.provider';

/** Connections of the generic-plan reader: its statements are short, and a round uses one. */
const GENERIC_PLAN_CONNECTIONS = 2;

/**
 * Runs prepared statements with their generic plans: planned once per connection, whatever the
 * values, on connections of its own whose session says so (plan_cache_mode = force_generic_plan).
 *
 * For statements over the partitioned log that no value prunes (the enroll search), planning visits
 * every partition and costs Postgres several times what running costs (the enroll search: 6 ms to
 * plan, 2 ms to run, with 9 partitions), and it grows with the partitions. Postgres's own choice
 * (plan_cache_mode = auto) keeps re-planning such a statement whenever a custom plan looks cheaper
 * than the generic one, which for these it always does. A pool of its own rather than SET LOCAL in
 * a transaction on the shared pool: one round trip per statement instead of three, and a statement
 * whose plan rightly depends on its values (the log's filters, the DSL) never runs here.
 */
@Injectable()
export class GenericPlanReader implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(config: EventlogConfig) {
    this.pool = createPool(config.DATABASE_URL, GENERIC_PLAN_CONNECTIONS, '-c plan_cache_mode=force_generic_plan');
  }

  query<R extends QueryResultRow>(statement: QueryConfig): Promise<QueryResult<R>> {
    return this.pool.query<R>(statement);
  }

  async onApplicationShutdown() {
    await this.pool.end();
  }
}

import { Provider } from '@nestjs/common';
import { Pool, types } from 'pg';
import { EventlogConfig } from '@eventlog/config';

export const PG_POOL = Symbol('PG_POOL');

// BIGINT (positions, versions, counts) comes back as a string; repositories convert explicitly with
// Number(), which is exact below 2^53. NUMERIC likewise stays a string until a repository maps it.
types.setTypeParser(types.builtins.INT8, (v) => v);

/**
 * Session settings sent with every connection. Parallel workers cost a few milliseconds to start,
 * which short plans (a page, a stream, a rollup sum) never earn back when many requests share a
 * few cores; only plans estimated ten times Postgres's default setup cost (a scan of a large part
 * of the log) run in parallel. JIT is off: on a table not analysed yet (a new database, a new day
 * partition) Postgres overestimates rows, crosses jit_above_cost, and compiles a millisecond read for
 * most of a second (decision 036); no query here runs long enough to earn compilation back.
 */
const SESSION_OPTIONS = '-c parallel_setup_cost=10000 -c jit=off';

/** A pool with the session settings above, and `extraOptions` (more `-c name=value`) after them. */
export function createPool(databaseUrl: string, max: number, extraOptions = ''): Pool {
  // Idle connections stay open (pg closes them after 10 s by default): a lull in traffic must not
  // make the next burst pay for new backends. A connection Postgres drops leaves the pool by itself.
  const pool = new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000, idleTimeoutMillis: 0, options: `${SESSION_OPTIONS} ${extraOptions}`.trim() });
  // An idle client losing its connection (Postgres restarted) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export const pgPoolProvider: Provider = {
  provide: PG_POOL,
  inject: [EventlogConfig],
  useFactory: (config: EventlogConfig) => createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
};

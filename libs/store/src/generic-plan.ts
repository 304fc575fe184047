import { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';

/**
 * Runs a prepared statement with its generic plan: planned once per connection, whatever the values.
 *
 * For statements over the partitioned log that no value prunes (the enroll search, the relay's
 * read), planning visits every partition and costs Postgres several times what running costs (the
 * enroll search: 6 ms to plan, 2 ms to run, with 9 partitions), and it grows with the partitions.
 * Postgres's own choice (plan_cache_mode = auto) keeps re-planning such a statement whenever a
 * custom plan looks cheaper than the generic one, which for these it always does. Forced for this
 * one statement only (SET LOCAL in its own transaction): a statement whose plan rightly depends on
 * its values (the log's filters, the DSL) keeps being planned per call.
 */
export async function queryGenericPlan<R extends QueryResultRow>(pool: Pool, statement: QueryConfig): Promise<QueryResult<R>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_generic_plan');
    const result = await client.query<R>(statement);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    // A client whose transaction failed is discarded rather than returned mid-transaction.
    client.release(broken);
  }
}

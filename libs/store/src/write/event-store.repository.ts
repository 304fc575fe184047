import { Inject, Injectable } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { NewEvent, keyOf } from '@eventlog/contracts';
import { AppendOutcome, planAppend, PlannedRow } from './append-plan';
import { AppendCommits } from './append-commits';
import { copyRows } from './copy-rows';
import { insertRowsSql, rowArrays } from './insert-rows';
import { DeadLetterInput, insertDeadLetters, SourceRecord } from './dead-letter-rows';
import { APPENDED_CHANNEL } from '../notifications/appended-channel';
import { PG_POOL } from '../pg-pool.provider';
import { iso } from '../read/event-row';

/**
 * A condition checked under the append lock, before anything is planned: when it answers false the
 * transaction writes nothing. Under the lock no other append can change what it read.
 */
export type AppendPrecondition = (client: PoolClient) => Promise<boolean>;

/** The write side of the log: one transaction and a handful of set-based statements per batch. */
@Injectable()
export class EventStoreRepository {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly commits: AppendCommits = new AppendCommits(),
  ) {}

  /**
   * Appends a batch in one transaction. Takes the position lock first, so appends are serialised
   * and commit in position order; then drops duplicates, checks expected versions, moves the stream
   * heads and writes the rows with COPY. Returns one outcome per event, in input order, or null
   * when `precondition` answered false (nothing written).
   *
   * The batch's dead letters are written in the same transaction, in one statement: `letters`
   * (refused before this), and, when `records` gives each event's source record, the events this
   * transaction rejects. A batch of dead letters only does not take the position lock.
   */
  async appendBatch(events: NewEvent[], records?: SourceRecord[], letters?: DeadLetterInput[]): Promise<AppendOutcome[]>;
  async appendBatch(events: NewEvent[], records: SourceRecord[], letters: DeadLetterInput[], precondition: AppendPrecondition): Promise<AppendOutcome[] | null>;
  async appendBatch(
    events: NewEvent[],
    records: SourceRecord[] = [],
    letters: DeadLetterInput[] = [],
    precondition?: AppendPrecondition,
  ): Promise<AppendOutcome[] | null> {
    if (events.length === 0 && letters.length === 0) return [];
    const client = await this.pool.connect();
    // A connection lost mid-transaction also emits 'error' on the client; the failing query
    // rejects as well, so this listener only keeps the process alive.
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken: Error | undefined;
    let settle: ((committed: boolean) => void) | undefined;
    try {
      let appended: Appended | null = { outcomes: [], rows: [], recordedAt: '' };
      if (events.length > 0) appended = await this.appendInTransaction(client, events, precondition);
      else await client.query('BEGIN');
      if (!appended) {
        await client.query('ROLLBACK');
        return null;
      }
      const { outcomes } = appended;
      const all = [...letters];
      outcomes.forEach((o, i) => {
        if (o.kind === 'rejected' && records[i]) all.push({ record: records[i], rejection: o.rejection, tenant: events[i].tenant });
      });
      await insertDeadLetters(client, all);
      settle = this.commits.committing(appended.rows, appended.recordedAt);
      await client.query('COMMIT');
      settle?.(true);
      return outcomes;
    } catch (err) {
      broken = err as Error;
      settle?.(false);
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', ignore);
      // A client that failed is discarded rather than returned to the pool in an unknown state.
      client.release(broken);
    }
  }

  private async appendInTransaction(client: PoolClient, events: NewEvent[], precondition?: AppendPrecondition): Promise<Appended | null> {
    // One round trip for all three (simple protocol: no parameters); every round trip is time under
    // the lock. The statements below are prepared and keep their generic plans (generic-plan.ts):
    // their plans do not depend on the batch, and planning them visits every partition.
    const [, , { rows: counter }] = (await client.query(
      'BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; SELECT last FROM event_position FOR UPDATE',
    )) as unknown as [unknown, unknown, { rows: { last: string }[] }];
    if (precondition && !(await precondition(client))) return null;
    // What the database already knows about this batch, in one round trip: which ids were ever
    // used (event_ids: one table, where the events are spread over partitions), the current
    // version of each stream and whether a hard deletion closed it (its StreamDeleted is written:
    // the head reached the tombstone).
    const { rows: known } = await client.query<{ kind: 'id' | 'stream'; tenant: string; name: string; version: string | null; closed: boolean | null }>({
      name: 'append_known',
      text: `SELECT 'id' AS kind, e.tenant, e.id AS name, NULL::bigint AS version, NULL::boolean AS closed
         FROM event_ids e JOIN unnest($1::text[], $2::text[]) AS k(tenant, id) ON e.tenant = k.tenant AND e.id = k.id
       UNION ALL
       SELECT 'stream', s.tenant, s.stream, s.version, t.hard AND s.version >= t.hidden_below
         FROM streams s JOIN (SELECT DISTINCT * FROM unnest($1::text[], $3::text[])) AS k(tenant, stream)
           ON s.tenant = k.tenant AND s.stream = k.stream
         LEFT JOIN stream_tombstones t ON t.tenant = s.tenant AND t.stream = s.stream`,
      values: [events.map((e) => e.tenant), events.map((e) => e.id), events.map((e) => e.stream)],
    });
    const plan = planAppend(
      events,
      new Set(known.filter((r) => r.kind === 'id').map((r) => keyOf(r.tenant, r.name))),
      new Map(known.filter((r) => r.kind === 'stream').map((r) => [keyOf(r.tenant, r.name), Number(r.version)])),
      Number(counter[0].last),
      new Set(known.filter((r) => r.closed).map((r) => keyOf(r.tenant, r.name))),
    );
    if (plan.rows.length === 0) return { outcomes: plan.outcomes, rows: [], recordedAt: '' };

    // The counter, its notification (delivered at commit: the relay, live tails and waiters wake
    // then) and the stream heads in one statement. recorded_at comes back as text so that the rows
    // get it to the microsecond. A small append inserts its rows in the same statement; a larger
    // one gets the partition recorded_at falls in (null when none covers it) and COPYs into it.
    const small = plan.rows.length <= SMALL_APPEND_ROWS;
    const { rows: stamped } = await client.query<{ recorded_at: string; recorded_at_ms: string; partition?: string | null }>({
      name: small ? 'append_stamp_rows' : 'append_stamp',
      text: small ? STAMP_AND_INSERT_SQL : STAMP_SQL,
      values: [
        plan.lastPosition,
        plan.heads.map((h) => h.tenant),
        plan.heads.map((h) => h.stream),
        plan.heads.map((h) => h.version),
        plan.heads.map((h) => h.firstOccurredAt.toISOString()),
        plan.heads.map((h) => h.lastOccurredAt.toISOString()),
        ...(small ? rowArrays(plan.rows) : []),
      ],
    });
    if (!small) await copyRows(client, plan.rows, stamped[0].recorded_at, stamped[0].partition ?? null);
    const recordedAt = stamped[0].recorded_at_ms;
    const outcomes = plan.outcomes.map((o) => (o.kind === 'persisted' ? { ...o, recordedAt } : o));
    return { outcomes, rows: plan.rows, recordedAt };
  }
}

/**
 * Appends of at most this many rows insert them in the stamp's statement: one round trip under the
 * position lock instead of three (stamp, COPY's start, COPY's data). Larger ones COPY, which costs
 * less per row (no parameter arrays to build and parse) once the round trips are amortised.
 */
const SMALL_APPEND_ROWS = 64;

/** The stream heads' upsert and the position counter's stamp, shared by both append statements. */
const HEADS_CTE = `heads AS (
     INSERT INTO streams (tenant, stream, version, first_occurred_at, last_occurred_at)
     SELECT * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[])
     ON CONFLICT (tenant, stream) DO UPDATE SET
       version = EXCLUDED.version,
       first_occurred_at = LEAST(streams.first_occurred_at, EXCLUDED.first_occurred_at),
       last_occurred_at = GREATEST(streams.last_occurred_at, EXCLUDED.last_occurred_at)
   )`;
const STAMP = `UPDATE event_position SET last = $1::bigint, recorded_at = GREATEST(clock_timestamp(), recorded_at)`;
const NOTIFY = `pg_notify('${APPENDED_CHANNEL}', $1::bigint::text)`;

const STAMP_SQL = `WITH ${HEADS_CTE}
   ${STAMP}
   RETURNING recorded_at::text, ${iso('recorded_at')} AS recorded_at_ms,
             (SELECT p.name FROM event_partitions p
               WHERE p.from_at <= event_position.recorded_at AND event_position.recorded_at < p.to_at) AS partition,
             ${NOTIFY}`;

// Through the parent: the row routing is Postgres's, and the parent's statement triggers count the
// rows once (decision 039), as for a batch that falls in the DEFAULT partition.
const STAMP_AND_INSERT_SQL = `WITH ${HEADS_CTE},
   stamp AS (${STAMP} RETURNING recorded_at),
   appended AS (${insertRowsSql(7, 'stamp.recorded_at', 'stamp')})
   SELECT recorded_at::text, ${iso('recorded_at')} AS recorded_at_ms, ${NOTIFY} FROM stamp`;

/** What a transaction appended: the outcomes, and the rows with recorded_at as the contract spells it. */
interface Appended {
  outcomes: AppendOutcome[];
  rows: PlannedRow[];
  recordedAt: string;
}

import { Injectable } from '@nestjs/common';
import { PoolClient } from 'pg';
import { NewEvent } from '@eventlog/contracts';
import { visibleEvent } from '../read/visible-events';
import { EventStoreRepository } from './event-store.repository';

export type StreamDeletion =
  | { kind: 'deleted'; version: number; position: number; hiddenEvents: number }
  | { kind: 'not-found' }
  | { kind: 'gone' };

/** The versions a deletion hides: from the previous tombstone (or 1) to the head, both included. */
const HIDDEN = 'e.tenant = $1 AND e.stream = $2 AND e.version >= $3 AND e.version <= $4';

// The partition of the log an event went to (its lower bound), as the rollup triggers key their
// rows (migration 013): a key's counts are kept apart per partition so that retention drops them
// with their day.
const PART_FROM = (alias: string) =>
  `coalesce((SELECT p.from_at FROM event_partitions p WHERE p.from_at <= ${alias}.recorded_at AND ${alias}.recorded_at < p.to_at), '-infinity')`;

const GRAINS = `(VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)`;

// event_counts less the hidden events; a row that would reach 0 is removed (its n is > 0 by CHECK).
const SUBTRACT_COUNTS = `
  WITH gone AS (
    SELECT e.tenant, g.grain, date_bin(g.width, e.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS bucket, e.type, e.status,
           ${PART_FROM('e')} AS part_from, count(*) AS n
      FROM events e CROSS JOIN ${GRAINS}
     WHERE ${HIDDEN}
     GROUP BY 1, 2, 3, 4, 5, 6
  ), emptied AS (
    DELETE FROM event_counts c USING gone
     WHERE c.tenant = gone.tenant AND c.grain = gone.grain AND c.bucket = gone.bucket AND c.type = gone.type
       AND c.status IS NOT DISTINCT FROM gone.status AND c.part_from = gone.part_from AND c.n <= gone.n
  )
  UPDATE event_counts c SET n = c.n - gone.n FROM gone
   WHERE c.tenant = gone.tenant AND c.grain = gone.grain AND c.bucket = gone.bucket AND c.type = gone.type
     AND c.status IS NOT DISTINCT FROM gone.status AND c.part_from = gone.part_from AND c.n > gone.n`;

// event_totals less the hidden events. A time span the hidden events bounded is taken again from
// the events still visible in the same partition (the tombstone is already written), and only then:
// CASE is lazy.
const SPAN_OF = (direction: 'ASC' | 'DESC') => `(
    SELECT v.occurred_at FROM events v
     WHERE v.tenant = t.tenant AND v.type = t.type AND COALESCE(v.status, '') = t.status AND COALESCE(v.source, '') = t.source
       AND ${PART_FROM('v')} = t.part_from AND ${visibleEvent('v')}
     ORDER BY v.occurred_at ${direction} LIMIT 1)`;
const SUBTRACT_TOTALS = `
  WITH gone AS (
    SELECT e.tenant, e.type, COALESCE(e.status, '') AS status, COALESCE(e.source, '') AS source, ${PART_FROM('e')} AS part_from,
           count(*) AS n, min(e.occurred_at) AS first, max(e.occurred_at) AS last
      FROM events e WHERE ${HIDDEN}
     GROUP BY 1, 2, 3, 4, 5
  ), emptied AS (
    DELETE FROM event_totals t USING gone
     WHERE t.tenant = gone.tenant AND t.type = gone.type AND t.status = gone.status AND t.source = gone.source AND t.part_from = gone.part_from AND t.n <= gone.n
  )
  UPDATE event_totals t SET
    n = t.n - gone.n,
    first_occurred_at = CASE WHEN gone.first <= t.first_occurred_at THEN ${SPAN_OF('ASC')} ELSE t.first_occurred_at END,
    last_occurred_at = CASE WHEN gone.last >= t.last_occurred_at THEN ${SPAN_OF('DESC')} ELSE t.last_occurred_at END
    FROM gone
   WHERE t.tenant = gone.tenant AND t.type = gone.type AND t.status = gone.status AND t.source = gone.source AND t.part_from = gone.part_from AND t.n > gone.n`;

// How many events a deletion hides, and the chains they belong to: each chain's latest visible
// event then decides again whether it is open.
const HIDDEN_SUMMARY = `SELECT count(*) AS n, array_agg(DISTINCT e.request_id) FILTER (WHERE e.request_id IS NOT NULL) AS chains
  FROM events e WHERE ${HIDDEN}`;
const REOPEN_CHAINS = `
  INSERT INTO open_chains (tenant, request_id, position, id, node_id, type, status, recorded_at)
  SELECT l.tenant, l.request_id, l.position, l.id, l.node_id, l.type, l.status, l.recorded_at
    FROM unnest($2::text[]) AS c(request_id)
   CROSS JOIN LATERAL (
     SELECT e.* FROM events e WHERE e.tenant = $1 AND e.request_id = c.request_id AND ${visibleEvent('e')}
      ORDER BY e.position DESC LIMIT 1
   ) l
   WHERE l.status IN ('pending', 'waiting', 'running')`;

/**
 * Deletes a stream: under the append lock, in one transaction, writes its tombstone (hiding every
 * version so far), takes the hidden events out of the rollups (event_counts, event_totals,
 * open_chains) and appends its StreamDeleted event as the next version, which stays readable
 * (docs/decisions/041). The rows themselves stay until eventlog_purge_stream removes them.
 */
@Injectable()
export class StreamDeletionRepository {
  constructor(private readonly store: EventStoreRepository) {}

  async deleteStream(event: NewEvent, hard: boolean): Promise<StreamDeletion> {
    let refused: StreamDeletion | undefined;
    let hiddenEvents = 0;
    const outcomes = await this.store.appendBatch([event], [], [], async (client) => {
      const head = await this.head(client, event.tenant, event.stream);
      if (!head) refused = { kind: 'not-found' };
      else if (head.hard) refused = { kind: 'gone' };
      if (refused || !head) return false;
      hiddenEvents = await this.hide(client, event, head.version, head.hiddenBelow, hard);
      return true;
    });
    if (!outcomes) return refused!;
    const outcome = outcomes[0];
    // Under the lock the head was read and nothing else appended: the event lands right after it.
    if (outcome.kind !== 'persisted') throw new Error(`StreamDeleted of ${event.stream} was not appended: ${JSON.stringify(outcome)}`);
    return { kind: 'deleted', version: outcome.version, position: outcome.position, hiddenEvents };
  }

  private async head(client: PoolClient, tenant: string, stream: string) {
    const { rows } = await client.query<{ version: string; hidden_below: string | null; hard: boolean | null }>(
      `SELECT s.version, t.hidden_below, t.hard FROM streams s
         LEFT JOIN stream_tombstones t ON t.tenant = s.tenant AND t.stream = s.stream
        WHERE s.tenant = $1 AND s.stream = $2`,
      [tenant, stream],
    );
    if (!rows.length) return undefined;
    return { version: Number(rows[0].version), hiddenBelow: Number(rows[0].hidden_below ?? 1), hard: rows[0].hard === true };
  }

  /** Tombstone first, so that what the rollups are corrected from already leaves the hidden events out. Returns how many were hidden. */
  private async hide(client: PoolClient, event: NewEvent, head: number, hiddenFrom: number, hard: boolean): Promise<number> {
    const range = [event.tenant, event.stream, hiddenFrom, head];
    const { rows } = await client.query<{ n: string; chains: string[] | null }>(HIDDEN_SUMMARY, range);
    const chains = rows[0].chains ?? [];
    await client.query(
      `INSERT INTO stream_tombstones (tenant, stream, hidden_below, hard, deleted_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, stream) DO UPDATE SET hidden_below = EXCLUDED.hidden_below, hard = EXCLUDED.hard, deleted_at = EXCLUDED.deleted_at`,
      [event.tenant, event.stream, head + 1, hard, event.occurredAt.toISOString()],
    );
    await client.query(SUBTRACT_COUNTS, range);
    await client.query(SUBTRACT_TOTALS, range);
    if (chains.length) {
      await client.query('DELETE FROM open_chains WHERE tenant = $1 AND request_id = ANY($2::text[])', [event.tenant, chains]);
      await client.query(REOPEN_CHAINS, [event.tenant, chains]);
    }
    // The head's time span restarts at the StreamDeleted event (the append widens it from there).
    await client.query('UPDATE streams SET first_occurred_at = $3, last_occurred_at = $3 WHERE tenant = $1 AND stream = $2', [
      event.tenant,
      event.stream,
      event.occurredAt.toISOString(),
    ]);
    return Number(rows[0].n);
  }
}

export const STREAM_DELETED_TYPE = 'StreamDeleted';

/** The StreamDeleted event a deletion appends to the stream it deletes. */
export function streamDeletedEvent(tenant: string, stream: string, id: string, hard: boolean, now: Date, source: string | null): NewEvent {
  return {
    id,
    tenant,
    stream,
    type: STREAM_DELETED_TYPE,
    data: { hard },
    metadata: {},
    source,
    status: null,
    message: `stream ${stream} deleted${hard ? ' for good' : ''}`,
    requestId: null,
    nodeId: id,
    parentNodeId: null,
    kafka: null,
    occurredAt: now,
    expectedVersion: 'any',
  };
}

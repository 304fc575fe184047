import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { StoredEvent } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { visibleEvent } from './visible-events';
import { EVENT_JSON_COLUMNS, EventJsonRow, toEventJson } from './event-row';
import { PreparedStatements } from '../prepared-statements';

export interface TraceEvents {
  /** In occurredAt order, at most the asked maximum. */
  events: StoredEvent[];
  /** How many there are in all. */
  eventCount: number;
}

/** Chains of events sharing a requestId (index events_tenant_request_idx). */
@Injectable()
export class TraceQueryRepository {
  /** Four texts, planned once per connection where the generic plan is as good (prepared-statements.ts). */
  private readonly prepared = new PreparedStatements('trace', 4);

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async readTrace(tenant: string, requestId: string, max: number): Promise<TraceEvents> {
    const { rows } = await this.pool.query<EventJsonRow>(
      this.prepared.statement(
        `SELECT ${EVENT_JSON_COLUMNS} FROM events e WHERE e.tenant = $1 AND e.request_id = $2 AND ${visibleEvent('e')}
          ORDER BY e.occurred_at, e.position LIMIT $3`,
        [tenant, requestId, max + 1],
      ),
    );
    return this.counted(rows, max, () =>
      this.pool.query<{ n: string }>(
        this.prepared.statement(`SELECT count(*) AS n FROM events e WHERE e.tenant = $1 AND e.request_id = $2 AND ${visibleEvent('e')}`, [tenant, requestId]),
      ),
    );
  }

  /**
   * The events of `nodeId` and of every node below it, at any depth up to `maxDepth` hops: one
   * recursive query over the trace's (node, parent) pairs. The depth bound also ends cycles.
   */
  async readSubtree(tenant: string, requestId: string, nodeId: string, maxDepth: number, max: number): Promise<TraceEvents> {
    const subtree = `WITH RECURSIVE trace AS MATERIALIZED (
        SELECT DISTINCT e.node_id, e.parent_node_id FROM events e WHERE e.tenant = $1 AND e.request_id = $2 AND ${visibleEvent('e')}
      ), subtree(node_id, depth) AS (
        SELECT node_id, 0 FROM trace WHERE node_id = $3
        UNION
        SELECT t.node_id, s.depth + 1 FROM subtree s JOIN trace t ON t.parent_node_id = s.node_id WHERE s.depth < $4
      )`;
    const inSubtree = `e.tenant = $1 AND e.request_id = $2 AND e.node_id IN (SELECT node_id FROM subtree) AND ${visibleEvent('e')}`;
    const { rows } = await this.pool.query<EventJsonRow>(
      this.prepared.statement(`${subtree} SELECT ${EVENT_JSON_COLUMNS} FROM events e WHERE ${inSubtree} ORDER BY e.occurred_at, e.position LIMIT $5`, [
        tenant,
        requestId,
        nodeId,
        maxDepth,
        max + 1,
      ]),
    );
    return this.counted(rows, max, () =>
      this.pool.query<{ n: string }>(this.prepared.statement(`${subtree} SELECT count(*) AS n FROM events e WHERE ${inSubtree}`, [tenant, requestId, nodeId, maxDepth])),
    );
  }

  private async counted(rows: EventJsonRow[], max: number, count: () => Promise<{ rows: { n: string }[] }>): Promise<TraceEvents> {
    const events = rows.slice(0, max).map(toEventJson);
    const eventCount = rows.length > max ? Number((await count()).rows[0].n) : events.length;
    return { events, eventCount };
  }
}

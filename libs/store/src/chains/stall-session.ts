import { Client } from 'pg';
import { STALLABLE_STATUSES } from '@eventlog/contracts';
import { connectWithLease } from '../lease/advisory-lease';
import { iso } from '../read/event-row';

/** A chain whose latest event is a running or waiting node's and is older than its type's timeout. */
export interface StalledChain {
  tenant: string;
  requestId: string;
  /** The stalled node: the node of the chain's latest event. */
  nodeId: string;
  lastEventId: string;
  lastType: string;
  lastStatus: string;
  /** RFC 3339, when the latest event was committed. */
  lastRecordedAt: string;
  /** How long the chain has had no event, at the database's clock. */
  idleMs: number;
  stallAfterMs: number;
}

/** How long a chain may go without an event: by the type of its latest event, else the default. */
export interface StallRule {
  defaultMs: number;
  byTypeMs: ReadonlyMap<string, number>;
}

// Session-level advisory lock key space of the stall detector (the relay's is 4_242_002).
const STALL_LOCK_CLASS = 4_242_031;

/** The stall detector's own connection; holding it open holds the detector's lease (connectWithLease). */
export class StallSession {
  private constructor(private readonly client: Client) {}

  /** Connects and tries to take the lease (one detector per database); undefined when another holds it. */
  static async tryAcquire(databaseUrl: string, onError: (err: Error) => void): Promise<StallSession | undefined> {
    const client = await connectWithLease(databaseUrl, STALL_LOCK_CLASS, 'stall-detector', onError);
    return client && new StallSession(client);
  }

  /**
   * The open chains (table open_chains, kept by a trigger on events) whose latest event is running
   * or waiting and older than its timeout, longest idle first. The index on recorded_at bounds the
   * read to chains idle longer than the shortest timeout.
   */
  async stalledChains(rule: StallRule, limit: number): Promise<StalledChain[]> {
    const types = [...rule.byTypeMs.keys()];
    const shortest = Math.min(rule.defaultMs, ...rule.byTypeMs.values());
    const { rows } = await this.client.query<Omit<StalledChain, 'idleMs' | 'stallAfterMs'> & { idleMs: string; stallAfterMs: string }>(
      `SELECT o.tenant, o.request_id AS "requestId", o.node_id AS "nodeId", o.id AS "lastEventId", o.type AS "lastType",
              o.status AS "lastStatus", ${iso('o.recorded_at')} AS "lastRecordedAt",
              floor(extract(epoch FROM now() - o.recorded_at) * 1000)::bigint AS "idleMs", t.ms AS "stallAfterMs"
         FROM open_chains o
        CROSS JOIN LATERAL (
          SELECT COALESCE((SELECT b.ms FROM unnest($1::text[], $2::bigint[]) AS b(type, ms) WHERE b.type = o.type), $3::bigint) AS ms
        ) t
        WHERE o.recorded_at <= now() - $4::bigint * interval '1 millisecond'
          AND o.recorded_at <= now() - t.ms * interval '1 millisecond'
          AND o.status = ANY($5::text[])
        ORDER BY o.recorded_at, o.position
        LIMIT $6`,
      [types, [...rule.byTypeMs.values()], rule.defaultMs, shortest, [...STALLABLE_STATUSES], limit],
    );
    return rows.map((r) => ({ ...r, idleMs: Number(r.idleMs), stallAfterMs: Number(r.stallAfterMs) }));
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

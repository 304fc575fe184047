import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '../pg-pool.provider';

export interface Durability {
  /** The newest committed position: every event at or below it is visible (appends commit in position order). */
  lastPosition: number;
  /** Per asked partition that ingest has recorded: the offset below which every record's outcome is durable. */
  offsets: { topic: string; partition: number; nextOffset: bigint }[];
}

/** What ingest has made durable so far, for reads that wait for a write (read-your-writes). */
@Injectable()
export class DurabilityRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The head position and the durable offsets of the given partitions, in one round trip. */
  async durability(partitions: { topic: string; partition: number }[]): Promise<Durability> {
    const { rows } = await this.pool.query<{ topic: string | null; partition: number | null; next: string }>(
      `SELECT NULL::text AS topic, NULL::int AS partition, last AS next FROM event_position
       UNION ALL
       SELECT o.topic, o.partition, o.next_offset
         FROM ingest_offsets o JOIN unnest($1::text[], $2::int[]) AS k(topic, partition)
           ON o.topic = k.topic AND o.partition = k.partition`,
      [partitions.map((p) => p.topic), partitions.map((p) => p.partition)],
    );
    const head = rows.find((r) => r.topic === null);
    return {
      lastPosition: Number(head?.next ?? 0),
      offsets: rows.filter((r) => r.topic !== null).map((r) => ({ topic: r.topic!, partition: r.partition!, nextOffset: BigInt(r.next) })),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { INGESTED_CHANNEL } from '../notifications/ingested-channel';
import { PG_POOL } from '../pg-pool.provider';

export interface DurableOffset {
  topic: string;
  partition: number;
  /** Every record of the partition before this offset has its outcome durable. */
  offset: string;
}

/**
 * Ingest's durable offsets, kept in Postgres for readers that wait for a record they produced
 * (`after=<topic>:<partition>:<offset>`): one statement, and one notification, per offset commit.
 */
@Injectable()
export class IngestOffsetsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Moves each partition's offset forward (never back: a late write of a moved partition is harmless). */
  async record(offsets: DurableOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.pool.query(
      `WITH moved AS (
         INSERT INTO ingest_offsets AS o (topic, partition, next_offset)
         SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
         ON CONFLICT (topic, partition) DO UPDATE SET next_offset = GREATEST(o.next_offset, EXCLUDED.next_offset)
       )
       SELECT pg_notify('${INGESTED_CHANNEL}', '')`,
      [offsets.map((o) => o.topic), offsets.map((o) => o.partition), offsets.map((o) => o.offset)],
    );
  }
}

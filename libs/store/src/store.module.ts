import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AppendCommits } from './write/append-commits';
import { EventStoreRepository } from './write/event-store.repository';
import { IngestOffsetsRepository } from './write/ingest-offsets.repository';
import { PG_POOL, pgPoolProvider } from './pg-pool.provider';

@Module({
  providers: [pgPoolProvider, AppendCommits, EventStoreRepository, IngestOffsetsRepository],
  exports: [PG_POOL, AppendCommits, EventStoreRepository, IngestOffsetsRepository],
})
export class StoreModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown() {
    await this.pool.end();
  }
}

import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { StatsController } from './stats.controller';
import { StatsKafkaController } from './stats.kafka-controller';
import { StatsService } from './stats.service';
import { IngestLagService } from './ingest-lag.service';
import { StatsResolver } from './stats.resolver';

/** Counts by type, status and source, and ingest lag (HTTP, Kafka and GraphQL). */
@Module({
  imports: [QueryStoreModule],
  controllers: [StatsController, StatsKafkaController],
  providers: [StatsService, IngestLagService, StatsResolver],
})
export class StatsModule {}

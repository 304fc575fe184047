import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { StatsController } from './stats.controller';
import { StatsKafkaController } from './stats.kafka-controller';
import { StatsService } from './stats.service';
import { IngestLagService } from './ingest-lag.service';

/** Counts by type, status and source, and ingest lag (HTTP and Kafka). */
@Module({
  imports: [QueryStoreModule],
  controllers: [StatsController, StatsKafkaController],
  providers: [StatsService, IngestLagService],
})
export class StatsModule {}

import { Module } from '@nestjs/common';
import { RetentionService } from './retention.service';

/** Partitions ahead of need and retention, inside the ingest app (no cron outside the service). */
@Module({ providers: [RetentionService] })
export class RetentionModule {}

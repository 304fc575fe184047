import { Module } from '@nestjs/common';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { RelayService } from './relay.service';

/** The outbound relay: inside the ingest app, or alone in its own process (relay/main.ts). */
@Module({ providers: [IngestMetrics, RelayService] })
export class RelayModule {}

import { Module } from '@nestjs/common';
import { StoreModule } from '@eventlog/store';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { RelayService } from './relay.service';

/** The outbound relay: inside the ingest app, or alone in its own process (relay/main.ts). */
// StoreModule: the same AppendCommits as the ingest app's appends, when the relay runs inside it.
@Module({ imports: [StoreModule], providers: [IngestMetrics, RelayService] })
export class RelayModule {}

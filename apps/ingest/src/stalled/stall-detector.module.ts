import { Module } from '@nestjs/common';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { StallDetectorService } from './stall-detector.service';

/** Stalled-chain detection, inside the ingest app unless INGEST_RUNS_STALL_DETECTOR=false. */
@Module({ providers: [IngestMetrics, StallDetectorService] })
export class StallDetectorModule {}

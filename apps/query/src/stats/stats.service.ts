import { Injectable } from '@nestjs/common';
import { Stats, StatsQueryDto } from '@eventlog/contracts';
import { StatsQueryRepository } from '@eventlog/store';
import { timeWindow } from '../parameters/time-window';
import { IngestLagService } from './ingest-lag.service';

@Injectable()
export class StatsService {
  constructor(
    private readonly repository: StatsQueryRepository,
    private readonly lag: IngestLagService,
  ) {}

  /** Counts for one tenant (optionally one stream and a time window) and the ingest lag. */
  async get(tenant: string, dto: StatsQueryDto): Promise<Stats> {
    const [counts, last, records] = await Promise.all([
      this.repository.counts({ tenant, stream: dto.stream, ...timeWindow(dto) }),
      this.repository.lastAppend(),
      this.lag.records(),
    ]);
    return { tenant, ...counts, ingestLag: { records, ...last } };
  }
}

import { Injectable } from '@nestjs/common';
import { Stats, StatsQueryDto } from '@eventlog/contracts';
import { DeadLetterRepository, StatsQueryRepository } from '@eventlog/store';
import { timeWindow } from '../parameters/time-window';
import { IngestLagService } from './ingest-lag.service';

@Injectable()
export class StatsService {
  constructor(
    private readonly repository: StatsQueryRepository,
    private readonly lag: IngestLagService,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  /** Counts for one tenant (optionally one stream and a time window), its dead letters, and the ingest lag. */
  async get(tenant: string, dto: StatsQueryDto): Promise<Stats> {
    const window = timeWindow(dto);
    const [counts, last, records, deadLetters] = await Promise.all([
      this.repository.counts({ tenant, stream: dto.stream, ...window }),
      this.repository.lastAppend(),
      this.lag.records(),
      this.deadLetters.counts({ tenant, ...window }),
    ]);
    return { tenant, ...counts, ingestLag: { records, ...last }, deadLetters };
  }
}

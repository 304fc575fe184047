import { Injectable } from '@nestjs/common';
import { ListStreamsQueryDto, QUERY_LIMITS, ReadStreamRequestDto, StreamInfo, StreamPage, StreamRead } from '@eventlog/contracts';
import { StreamQueryRepository } from '@eventlog/store';
import { ApiError } from '../errors/api-error';
import { resolvePaging } from '../parameters/paging';

@Injectable()
export class StreamsService {
  constructor(private readonly streams: StreamQueryRepository) {}

  list(tenant: string, dto: ListStreamsQueryDto): Promise<StreamPage> {
    return this.streams.list({ tenant, prefix: dto.prefix, ...resolvePaging(dto) });
  }

  async info(tenant: string, stream: string): Promise<StreamInfo> {
    const info = await this.streams.info(tenant, stream);
    if (!info) throw ApiError.notFound(`no stream ${stream} in tenant ${tenant}`);
    return info;
  }

  /**
   * The stream's head and up to `limit` events from `fromVersion`: forward from 1 by default,
   * backward from the head. nextVersion is where the next read in the same direction starts.
   */
  async read(tenant: string, dto: ReadStreamRequestDto): Promise<StreamRead> {
    const direction = dto.direction ?? 'forward';
    const limit = dto.limit ?? QUERY_LIMITS.defaultStreamRead;
    const found = await this.streams.read(tenant, dto.stream, dto.fromVersion, direction, limit);
    if (!found) throw ApiError.notFound(`no stream ${dto.stream} in tenant ${tenant}`);
    const { info, events } = found;
    const fromVersion = dto.fromVersion ?? (direction === 'forward' ? 1 : info.version);
    const last = events[events.length - 1];
    let nextVersion: number | null = null;
    if (last && direction === 'forward' && last.version < info.version) nextVersion = last.version + 1;
    // A deleted stream's first readable version is past its StreamDeleted's predecessors (eventCount counts from there).
    if (last && direction === 'backward' && last.version > info.version - info.eventCount + 1) nextVersion = last.version - 1;
    return { ...info, direction, fromVersion, count: events.length, events, nextVersion };
  }
}

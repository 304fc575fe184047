import { Injectable } from '@nestjs/common';
import { ListTracesQueryDto, OpenTracePage, parseDuration, QUERY_LIMITS, Trace } from '@eventlog/contracts';
import { OpenChainQueryRepository, TraceQueryRepository } from '@eventlog/store';
import { ApiError } from '../errors/api-error';
import { resolvePaging } from '../parameters/paging';
import { buildTrace } from './trace-tree';

@Injectable()
export class TracesService {
  constructor(
    private readonly traces: TraceQueryRepository,
    private readonly openChains: OpenChainQueryRepository,
  ) {}

  /** The open chains (status running), optionally only those without an event for stalledFor. */
  list(tenant: string, dto: ListTracesQueryDto): Promise<OpenTracePage> {
    const stalledForMs = dto.stalledFor === undefined ? 0 : parseDuration(dto.stalledFor)!;
    return this.openChains.list({ tenant, stalledForMs, ...resolvePaging(dto) });
  }

  async trace(tenant: string, requestId: string): Promise<Trace> {
    const { events, eventCount } = await this.traces.readTrace(tenant, requestId, QUERY_LIMITS.maxTraceEvents);
    if (eventCount === 0) throw ApiError.notFound(`no trace ${requestId} in tenant ${tenant}`);
    return buildTrace(requestId, events, eventCount);
  }

  /** The node and all its descendants (recursive SQL), as a trace whose only root is that node. */
  async node(tenant: string, requestId: string, nodeId: string): Promise<Trace> {
    const { events, eventCount } = await this.traces.readSubtree(
      tenant,
      requestId,
      nodeId,
      QUERY_LIMITS.maxTraceDepth,
      QUERY_LIMITS.maxTraceEvents,
    );
    if (eventCount === 0) throw ApiError.notFound(`no node ${nodeId} in trace ${requestId} of tenant ${tenant}`);
    return buildTrace(requestId, events, eventCount);
  }
}

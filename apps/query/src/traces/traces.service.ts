import { Injectable } from '@nestjs/common';
import { QUERY_LIMITS, Trace, TraceNodeRequestDto, TraceRequestDto } from '@eventlog/contracts';
import { TraceQueryRepository } from '@eventlog/store';
import { ApiError } from '../errors/api-error';
import { tenantOf } from '../parameters/tenant';
import { buildTrace } from './trace-tree';

@Injectable()
export class TracesService {
  constructor(private readonly traces: TraceQueryRepository) {}

  async trace(dto: TraceRequestDto): Promise<Trace> {
    const { events, eventCount } = await this.traces.readTrace(tenantOf(dto), dto.requestId, QUERY_LIMITS.maxTraceEvents);
    if (eventCount === 0) throw ApiError.notFound(`no trace ${dto.requestId} in tenant ${tenantOf(dto)}`);
    return buildTrace(dto.requestId, events, eventCount);
  }

  /** The node and all its descendants (recursive SQL), as a trace whose only root is that node. */
  async node(dto: TraceNodeRequestDto): Promise<Trace> {
    const { events, eventCount } = await this.traces.readSubtree(
      tenantOf(dto),
      dto.requestId,
      dto.nodeId,
      QUERY_LIMITS.maxTraceDepth,
      QUERY_LIMITS.maxTraceEvents,
    );
    if (eventCount === 0) throw ApiError.notFound(`no node ${dto.nodeId} in trace ${dto.requestId} of tenant ${tenantOf(dto)}`);
    return buildTrace(dto.requestId, events, eventCount);
  }
}

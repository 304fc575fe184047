import { Args, Query, Resolver } from '@nestjs/graphql';
import { RequestTenant, TenantIn } from '@eventlog/auth';
import { StoredEvent, Trace, TraceNode, TraceRequestDto } from '@eventlog/contracts';
import { namedByArguments, nullWhenNotFound, TENANT_ARGUMENT, validArguments } from '../graphql/graphql-args';
import { readableEvent } from '../graphql/stored-event.type';
import { TraceType } from './traces.graphql-types';
import { TracesService } from './traces.service';

/** GraphQL `trace`: GET /v1/traces/{requestId}, the same service and validation. */
@Resolver()
export class TracesResolver {
  constructor(private readonly traces: TracesService) {}

  @TenantIn('args')
  @Query(() => TraceType, { nullable: true, description: 'A whole chain: derived status, time span, events and node tree; null when unknown' })
  trace(
    @RequestTenant() tenant: string,
    @Args('tenant', TENANT_ARGUMENT) _tenant: string | undefined,
    @Args('requestId', { type: () => String }) requestId: string,
  ): Promise<Trace | null> {
    return namedByArguments(
      (field) => field,
      async () => {
        const request = await validArguments(TraceRequestDto, { requestId });
        const trace = await nullWhenNotFound(this.traces.trace(tenant, request.requestId));
        return trace && readableTrace(trace);
      },
    );
  }
}

/** The trace with every event readable; an event sits in `events` and in its node, read once. */
function readableTrace(trace: Trace): Trace {
  const readable = new Map<StoredEvent, StoredEvent>(trace.events.map((e) => [e, readableEvent(e)]));
  const read = (events: StoredEvent[]) => events.map((e) => readable.get(e) ?? readableEvent(e));
  const visit = [...trace.nodes];
  while (visit.length) {
    const node: TraceNode = visit.pop()!;
    node.events = read(node.events);
    visit.push(...node.children);
  }
  return { ...trace, events: read(trace.events) };
}

import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { RequestTenant, TenantIn } from '@eventlog/auth';
import { ReadDirection, ReadStreamRequestDto } from '@eventlog/contracts';
import { namedByArguments, nullWhenNotFound, TENANT_ARGUMENT, validArguments } from '../graphql/graphql-args';
import { SafeIntScalar } from '../graphql/scalars';
import { readableEvent } from '../graphql/stored-event.type';
import { ReadDirectionEnum, StreamType } from './streams.graphql-types';
import { StreamsService } from './streams.service';

/** GraphQL `stream`: GET /v1/streams/{stream}/events, the same service and validation. */
@Resolver()
export class StreamsResolver {
  constructor(private readonly streams: StreamsService) {}

  @TenantIn('args')
  @Query(() => StreamType, { nullable: true, description: 'A stream’s head and its events in version order; null when the tenant has no such stream' })
  stream(
    @RequestTenant() tenant: string,
    @Args('tenant', TENANT_ARGUMENT) _tenant: string | undefined,
    @Args('name', { type: () => String }) name: string,
    @Args('fromVersion', { type: () => SafeIntScalar, nullable: true, description: 'Forward: default 1; backward: default the head' })
    fromVersion: number | null | undefined,
    @Args('direction', { type: () => ReadDirectionEnum, nullable: true, description: 'Default forward' }) direction: ReadDirection | null | undefined,
    @Args('limit', { type: () => Int, nullable: true, description: 'Events to read (default 100, at most 1000; 0 for the head alone)' })
    limit: number | null | undefined,
  ): Promise<StreamType | null> {
    return namedByArguments(
      (field) => (field === 'stream' ? 'name' : field),
      async () => {
        const request = await validArguments(ReadStreamRequestDto, { stream: name, fromVersion, direction, limit });
        const read = await nullWhenNotFound(this.streams.read(tenant, request));
        return read && { ...read, events: read.events.map(readableEvent) };
      },
    );
  }
}

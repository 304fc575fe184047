import { Args, Query, Resolver } from '@nestjs/graphql';
import { RequestTenant, TenantIn } from '@eventlog/auth';
import { StatsQueryDto } from '@eventlog/contracts';
import { namedByArguments, TENANT_ARGUMENT, validArguments } from '../graphql/graphql-args';
import { StatsType } from './stats.graphql-types';
import { StatsService } from './stats.service';

const counts = (byKey: Record<string, number>) => Object.entries(byKey).map(([key, count]) => ({ key, count }));

/** GraphQL `stats`: GET /v1/stats, the same service and validation. */
@Resolver()
export class StatsResolver {
  constructor(private readonly service: StatsService) {}

  @TenantIn('args')
  @Query(() => StatsType, { nullable: true, description: 'Counts by type, status and source, stream count, time span and ingest lag' })
  stats(
    @RequestTenant() tenant: string,
    @Args('tenant', TENANT_ARGUMENT) _tenant: string | undefined,
    @Args('stream', { type: () => String, nullable: true }) stream: string | null | undefined,
    @Args('from', { type: () => String, nullable: true, description: 'occurredAt ≥ from (RFC 3339, or epoch ms as digits)' }) from: string | null | undefined,
    @Args('to', { type: () => String, nullable: true, description: 'occurredAt ≤ to' }) to: string | null | undefined,
  ): Promise<StatsType> {
    return namedByArguments(
      (field) => field,
      async () => {
        const query = await validArguments(StatsQueryDto, { stream, from, to });
        const stats = await this.service.get(tenant, query);
        return {
          ...stats,
          byType: counts(stats.byType),
          byStatus: counts(stats.byStatus),
          bySource: counts(stats.bySource),
          deadLetters: { ...stats.deadLetters, byCode: counts(stats.deadLetters.byCode) },
        };
      },
    );
  }
}

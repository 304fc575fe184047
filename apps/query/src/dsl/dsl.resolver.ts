import { Args, Query, Resolver } from '@nestjs/graphql';
import { RequestTenant, TenantIn } from '@eventlog/auth';
import { DslQueryDto } from '@eventlog/contracts';
import { DslQueryRepository } from '@eventlog/store';
import { namedByArguments, validArguments } from '../graphql/graphql-args';
import { JsonScalar } from '../graphql/scalars';
import { AggregateType } from './dsl.graphql-types';

/**
 * GraphQL `aggregate`: POST /v1/query. The DSL is a JSON document in both, validated by the same
 * DTO and compiler; refusals name its fields under `dsl` (dsl.where[1].value).
 */
@Resolver()
export class DslResolver {
  constructor(private readonly dsl: DslQueryRepository) {}

  @TenantIn('args.dsl.from')
  @Query(() => AggregateType, { nullable: true, description: 'The query DSL (contract section 4): where, select, orderBy, limit/offset, or reduce' })
  aggregate(
    @RequestTenant() tenant: string,
    @Args('dsl', { type: () => JsonScalar, description: 'A DSL query; its tenant in `from.tenant`' }) dsl: unknown,
  ): Promise<AggregateType> {
    return namedByArguments(
      (field) => (field === 'body' ? 'dsl' : `dsl.${field}`),
      async () => this.dsl.run(tenant, await validArguments(DslQueryDto, dsl as Record<string, unknown>)),
    );
  }
}

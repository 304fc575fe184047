import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { DslEventsReply, DslGroupsReply, DslQueryDto } from '@eventlog/contracts';
import { DslQueryRepository } from '@eventlog/store';
import { ApiErrors } from '../http/api-errors.decorator';
import { RequestTenant, TenantIn } from '@eventlog/auth';

@ApiTags('query')
@ApiErrors()
@ApiExtraModels(DslEventsReply, DslGroupsReply)
@Controller('v1/query')
export class DslController {
  constructor(private readonly dsl: DslQueryRepository) {}

  @TenantIn('body.from')
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'The query DSL: where, select, orderBy, limit/offset, or reduce with groupBy and interval' })
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(DslEventsReply) }, { $ref: getSchemaPath(DslGroupsReply) }] } })
  query(@Body() body: DslQueryDto, @RequestTenant() tenant: string) {
    return this.dsl.run(tenant, body);
  }
}

import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiErrorBody,
  DeleteStreamQueryDto,
  ListStreamsQueryDto,
  ReadStreamQueryDto,
  StreamDeletedResult,
  StreamInfo,
  StreamPage,
  StreamParamDto,
  StreamRead,
  TenantQueryDto,
} from '@eventlog/contracts';
import { ApiErrors } from '../http/api-errors.decorator';
import { validationError } from '../errors/api-error';
import { StreamsService } from './streams.service';
import { RequestTenant, RequiresScope, TenantIn } from '@eventlog/auth';
import { StreamDeletionService } from './stream-deletion.service';

@ApiTags('streams')
@ApiErrors()
@Controller('v1/streams')
export class StreamsController {
  constructor(
    private readonly streams: StreamsService,
    private readonly deletions: StreamDeletionService,
  ) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Streams by name, optionally by prefix, paged' })
  @ApiOkResponse({ type: StreamPage })
  list(@Query() query: ListStreamsQueryDto, @RequestTenant() tenant: string) {
    return this.streams.list(tenant, query);
  }

  @TenantIn('query')
  @Get(':stream')
  @ApiOperation({ summary: 'A stream’s head: version, event count, first and last occurredAt' })
  @ApiOkResponse({ type: StreamInfo })
  info(@Param() { stream }: StreamParamDto, @Query() _query: TenantQueryDto, @RequestTenant() tenant: string) {
    return this.streams.info(tenant, stream);
  }

  @TenantIn('query')
  @Get(':stream/events')
  @ApiOperation({ summary: 'Read a stream forward or backward from a version' })
  @ApiOkResponse({ type: StreamRead })
  read(@Param() { stream }: StreamParamDto, @Query() query: ReadStreamQueryDto, @RequestTenant() tenant: string) {
    return this.streams.read(tenant, { ...query, stream });
  }

  @TenantIn('query')
  @RequiresScope('delete')
  @Delete(':stream')
  @ApiOperation({
    summary: 'Delete a stream: its events leave every read at once, a StreamDeleted event is appended as its next version',
    description: 'hard=false (default): appending again continues its versions; hard=true: later events are dead-lettered STREAM_DELETED. The rows are removed by the purge (docs/operations.md).',
  })
  @ApiOkResponse({ type: StreamDeletedResult })
  @ApiResponse({ status: 410, description: 'Already deleted with hard=true', type: ApiErrorBody })
  delete(@Param() { stream }: StreamParamDto, @Query() query: DeleteStreamQueryDto, @RequestTenant() tenant: string) {
    return this.deletions.delete(tenant, stream, query.hard ?? false);
  }

  // `DELETE /v1/streams/` (an empty name) reaches the collection: say which field is missing, not 404.
  @TenantIn('query')
  @RequiresScope('delete')
  @Delete()
  @ApiExcludeEndpoint()
  deleteWithoutName(): never {
    throw validationError([{ field: 'stream', message: 'stream must name the stream to delete (1 to 200 characters)' }]);
  }
}

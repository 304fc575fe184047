import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorBody, EnrollDto, StoredEventDto } from '@eventlog/contracts';
import { RequestTenant, RequiresScope, TenantIn } from '@eventlog/auth';
import { HttpResponse } from '../http/http-types';
import { EnrollService } from './enroll.service';

@ApiTags('enroll')
@ApiResponse({ status: 400, description: 'Invalid request; details name the fields', type: ApiErrorBody })
@ApiResponse({ status: 503, description: 'Postgres unavailable', type: ApiErrorBody })
@Controller('v1/enroll')
export class EnrollController {
  constructor(private readonly enroll: EnrollService) {}

  // Claiming appends an event, as the manual trigger (POST /v1/events) does: the publish scope.
  @TenantIn('body')
  @RequiresScope('publish')
  @Post()
  @ApiOperation({
    summary: 'Claim the oldest sourceType event with no targetType job yet (or a failed one with retries left)',
    description: 'Appends, exactly once however many workers race, a targetType event with status running whose parent is the source event’s node.',
  })
  @ApiResponse({ status: 201, description: 'The claim event, as stored', type: StoredEventDto })
  @ApiResponse({ status: 204, description: 'Nothing to claim' })
  async claim(@Body() request: EnrollDto, @RequestTenant() tenant: string, @Res({ passthrough: true }) res: HttpResponse) {
    const claim = await this.enroll.claim(tenant, request);
    res.status(claim ? 201 : 204);
    return claim ?? undefined;
  }
}

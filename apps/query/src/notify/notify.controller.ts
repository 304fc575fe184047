import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorBody, Notification, NotifyDto } from '@eventlog/contracts';
import { RequestTenant, RequiresScope, TenantIn } from '@eventlog/auth';
import { NotifyService } from './notify.service';

@ApiTags('notify')
@Controller('v1/notify')
export class NotifyController {
  constructor(private readonly notifications: NotifyService) {}

  @TenantIn('body')
  @RequiresScope('publish')
  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Broadcast a fire-and-forget notification (e.g. a running node’s progress) to the tenant’s live WebSocket subscribers whose filter matches',
    description: 'Never stored, never on the outbound topic, no position; subscribers of every query instance receive it. A subscriber not connected at that moment misses it.',
  })
  @ApiResponse({ status: 202, description: 'Broadcast', type: Notification })
  @ApiResponse({ status: 400, description: 'Invalid notification; details name the fields', type: ApiErrorBody })
  @ApiResponse({ status: 503, description: 'Postgres unavailable', type: ApiErrorBody })
  notify(@Body() body: NotifyDto, @RequestTenant() tenant: string): Promise<Notification> {
    return this.notifications.notify(tenant, body);
  }
}

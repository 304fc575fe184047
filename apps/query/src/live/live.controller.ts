import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ServerResponse } from 'node:http';
import { Gauge, register } from 'prom-client';
import { EventlogConfig } from '@eventlog/config';
import { AppendNotifications, LiveFeedRepository } from '@eventlog/store';
import { LiveQueryDto } from './live-query.dto';
import { LiveStream } from './live-stream';
import { RequestTenant, TenantIn } from '@eventlog/auth';

const connections =
  (register.getSingleMetric('eventlog_live_connections') as Gauge | undefined) ??
  new Gauge({ name: 'eventlog_live_connections', help: 'Open live-tail (SSE) connections' });

@ApiTags('live')
@Controller('v1/events/live')
export class LiveController {
  constructor(
    private readonly config: EventlogConfig,
    private readonly feed: LiveFeedRepository,
    private readonly appends: AppendNotifications,
  ) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Server-Sent Events: catch up from a position, then follow new events; id = position' })
  @ApiProduces('text/event-stream')
  async follow(
    @Query() query: LiveQueryDto,
    @RequestTenant() tenant: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: { raw: ServerResponse; hijack(): void },
  ) {
    const resumeAt = lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId.trim()) ? Number(lastEventId) : undefined;
    const from = resumeAt ?? query.fromPosition ?? (await this.feed.head());
    // From here the stream writes to the Node response itself; Fastify must not answer it as well.
    reply.hijack();
    const res = reply.raw;
    const stream = new LiveStream(
      res,
      this.feed,
      { tenant, stream: query.stream, streamPrefix: query.streamPrefix, types: query.type },
      from,
      { heartbeatMs: this.config.LIVE_HEARTBEAT_MS, slowClientMs: this.config.LIVE_SLOW_CLIENT_MS },
    );
    const unsubscribe = this.appends.subscribe(stream.onAppended);
    connections.inc();
    try {
      await stream.run();
    } finally {
      connections.dec();
      unsubscribe();
      if (!res.writableEnded) res.end();
    }
  }
}

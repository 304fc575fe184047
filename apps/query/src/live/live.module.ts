import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { NotifyModule } from '../notify/notify.module';
import { LiveController } from './live.controller';
import { LiveGateway } from './live.gateway';
import { LiveHub } from './live-hub';

/**
 * The live tail: Server-Sent Events from a position, then as events are appended; and the same
 * over a WebSocket (/v1/ws), with fire-and-forget notifications.
 */
@Module({
  imports: [QueryStoreModule, NotifyModule],
  controllers: [LiveController],
  providers: [LiveHub, LiveGateway],
})
export class LiveModule {}

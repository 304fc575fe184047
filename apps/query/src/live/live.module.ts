import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { LiveController } from './live.controller';

/** The live tail: Server-Sent Events from a position, then as events are appended. */
@Module({
  imports: [QueryStoreModule],
  controllers: [LiveController],
})
export class LiveModule {}

import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { NotifyController } from './notify.controller';
import { NotifyService } from './notify.service';

/** Fire-and-forget notifications (POST /v1/notify); the live gateway sends its socket's through the same service. */
@Module({
  imports: [QueryStoreModule],
  controllers: [NotifyController],
  providers: [NotifyService],
  exports: [NotifyService],
})
export class NotifyModule {}

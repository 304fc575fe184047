import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { QueryStoreModule } from '@eventlog/store';
import { DurabilityWaiter } from './durability-waiter';
import { ReadYourWritesInterceptor } from './read-your-writes.interceptor';

/** after= and minPosition on every read endpoint and request topic: one interceptor for all of them. */
@Module({
  imports: [QueryStoreModule],
  providers: [DurabilityWaiter, { provide: APP_INTERCEPTOR, useClass: ReadYourWritesInterceptor }],
})
export class ReadYourWritesModule {}

import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { PublishController } from './publish.controller';
import { IngestPublisher } from './ingest-publisher';
import { PersistenceWaiter } from './persistence-waiter';
import { PublishService } from './publish.service';

/** Publishing through the API: to the ingest topic, optionally waiting for each event's outcome. */
@Module({
  imports: [QueryStoreModule],
  controllers: [PublishController],
  providers: [IngestPublisher, PersistenceWaiter, PublishService],
})
export class PublishModule {}

import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';

/** The records ingest rejected: listed, and replayed to the ingest topic (HTTP). */
@Module({
  imports: [QueryStoreModule],
  controllers: [DeadLettersController],
  providers: [DeadLettersService],
})
export class DeadLettersModule {}

import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { EnrollController } from './enroll.controller';
import { EnrollKafkaController } from './enroll.kafka-controller';
import { EnrollService } from './enroll.service';

/** Enroll: workers claim the next unhandled job (POST /v1/enroll and its request topic). */
@Module({
  imports: [QueryStoreModule],
  controllers: [EnrollController, EnrollKafkaController],
  providers: [EnrollService],
})
export class EnrollModule {}

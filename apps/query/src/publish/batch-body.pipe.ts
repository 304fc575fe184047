import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PublishEventDto, QUERY_LIMITS } from '@eventlog/contracts';
import { errorBody, ApiError, validationDetails, validationError } from '../errors/api-error';

/** The body of POST /v1/events/batch: an array of 1 to 1000 envelopes, each checked like a single publish. */
@Injectable()
export class BatchBodyPipe implements PipeTransform<unknown, PublishEventDto[]> {
  transform(body: unknown): PublishEventDto[] {
    if (!Array.isArray(body) || body.length === 0 || body.length > QUERY_LIMITS.maxBatch) {
      const message = `body must be an array of 1 to ${QUERY_LIMITS.maxBatch} events`;
      throw new ApiError(errorBody(400, message, [{ field: 'body', message }]));
    }
    const items = body.map((item) => plainToInstance(PublishEventDto, item) as unknown as PublishEventDto);
    const details = items.flatMap((item, i) =>
      typeof item !== 'object' || item === null || Array.isArray(item)
        ? [{ field: `[${i}]`, message: `[${i}] must be a JSON object` }]
        : validationDetails(validateSync(item, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }), `[${i}]`),
    );
    if (details.length) throw validationError(details);
    return items;
  }
}

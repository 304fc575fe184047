import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { StreamDeletedResult } from '@eventlog/contracts';
import { StreamDeletionRepository, streamDeletedEvent } from '@eventlog/store';
import { ApiError, errorBody } from '../errors/api-error';

/** DELETE /v1/streams/{stream} and eventlog.query.delete-stream: the tombstone and its StreamDeleted event (decision 041). */
@Injectable()
export class StreamDeletionService {
  constructor(private readonly deletions: StreamDeletionRepository) {}

  async delete(tenant: string, stream: string, hard: boolean): Promise<StreamDeletedResult> {
    const event = streamDeletedEvent(tenant, stream, `stream-deleted:${randomUUID()}`, hard, new Date(), 'eventlog');
    const outcome = await this.deletions.deleteStream(event, hard);
    if (outcome.kind === 'not-found') throw ApiError.notFound(`no stream ${stream} in tenant ${tenant}`);
    if (outcome.kind === 'gone') {
      throw new ApiError(errorBody(410, `stream ${stream} of tenant ${tenant} was deleted for good (hard=true)`, [], { code: 'STREAM_DELETED' }));
    }
    return { stream, hard, version: outcome.version, position: outcome.position, deletedEvents: outcome.hiddenEvents, eventId: event.id };
  }
}

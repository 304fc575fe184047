import { Injectable } from '@nestjs/common';
import { EventlogConfig } from '@eventlog/config';
import { randomUUID } from 'node:crypto';
import { BatchItemResult, PublishEventDto, PublishResult, StoredEvent } from '@eventlog/contracts';
import { validationError } from '../errors/api-error';
import { Envelope, IngestPublisher } from './ingest-publisher';
import { Outcome, PersistenceWaiter } from './persistence-waiter';

export type PublishOutcome = { result: PublishResult; outcome: Outcome };

/**
 * Publishing through the API: events go to the ingest topic like any producer's (so ingest alone
 * decides their fate); with a wait, the caller learns that fate.
 */
@Injectable()
export class PublishService {
  constructor(
    private readonly publisher: IngestPublisher,
    private readonly waiter: PersistenceWaiter,
    private readonly config: EventlogConfig,
  ) {}

  /** Produces the events; an event without an id gets a UUID, so it can be followed. */
  publish(events: PublishEventDto[], batch: boolean): Promise<PublishResult[]> {
    return this.publisher.publish(this.envelopes(events, batch));
  }

  /** Produces and waits up to waitMs for each event to be persisted or rejected. */
  async publishAndWait(events: PublishEventDto[], waitMs: number, batch: boolean): Promise<PublishOutcome[]> {
    const envelopes = this.envelopes(events, batch);
    const watch = this.waiter.watch(envelopes.map((e) => ({ tenant: e.tenant as string | undefined, id: e.id })));
    try {
      const results = await this.publisher.publish(envelopes);
      const outcomes = await watch.outcomes(waitMs);
      return results.map((result, i) => ({ result, outcome: outcomes[i] }));
    } finally {
      watch.cancel();
    }
  }

  /** Envelopes as ingest will read them; data over MAX_EVENT_BYTES is a 400 here rather than a dead letter later. */
  private envelopes(events: PublishEventDto[], batch: boolean): Envelope[] {
    const details = events.flatMap((e, i) => {
      const bytes = e.data === undefined ? 0 : Buffer.byteLength(JSON.stringify(e.data));
      const field = batch ? `[${i}].data` : 'data';
      return bytes > this.config.MAX_EVENT_BYTES ? [{ field, message: `${field} is ${bytes} bytes serialized; at most ${this.config.MAX_EVENT_BYTES} allowed` }] : [];
    });
    if (details.length) throw validationError(details);
    return events.map(toEnvelope);
  }
}

function toEnvelope(dto: PublishEventDto): Envelope {
  const envelope: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(dto)) if (v !== undefined) envelope[k] = v;
  envelope.id ??= randomUUID();
  return envelope as Envelope;
}

/** One batch item's answer: 202 produced, 201 persisted (with the event), 409 rejected. */
export function batchItem({ result, outcome }: PublishOutcome): BatchItemResult {
  if (outcome.kind === 'persisted') return { ...result, status: 201, event: outcome.event as StoredEvent };
  if (outcome.kind === 'rejected') return { ...result, status: 409, rejection: { code: outcome.code, message: outcome.message } };
  return { ...result, status: 202 };
}

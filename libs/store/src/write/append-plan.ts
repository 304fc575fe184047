import { ExpectedVersion, NewEvent, Rejection, RejectionCode, keyOf } from '@eventlog/contracts';

export type AppendOutcome =
  /** recordedAt (contract text) is set once the append has stamped its transaction. */
  | { kind: 'persisted'; version: number; position: number; recordedAt?: string }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; rejection: Rejection };

export interface PlannedRow {
  event: NewEvent;
  version: number;
  position: number;
}

export interface StreamHead {
  tenant: string;
  stream: string;
  version: number;
  firstOccurredAt: Date;
  lastOccurredAt: Date;
}

export interface AppendPlan {
  /** One outcome per input event, same order. */
  outcomes: AppendOutcome[];
  rows: PlannedRow[];
  /** The new head of every stream the batch appends to. */
  heads: StreamHead[];
  lastPosition: number;
}

function expectationFails(expected: ExpectedVersion, current: number): boolean {
  if (expected === 'any') return false;
  if (expected === 'no_stream') return current !== 0;
  if (expected === 'stream_exists') return current === 0;
  return expected !== current;
}

/**
 * Decides, in input order, what happens to each event of a batch: a duplicate of an existing or an
 * earlier (tenant, id); a rejection for a failed expectedVersion; or a row with the next version of
 * its stream and the next global position; a rejection for an event of a hard-deleted stream.
 * Pure: the caller holds the append lock and supplies what the database knows.
 */
export function planAppend(
  events: NewEvent[],
  existingIds: ReadonlySet<string>,
  currentVersions: ReadonlyMap<string, number>,
  lastPosition: number,
  closedStreams: ReadonlySet<string> = new Set(),
): AppendPlan {
  const seen = new Set<string>();
  const versions = new Map(currentVersions);
  const heads = new Map<string, StreamHead>();
  const outcomes: AppendOutcome[] = [];
  const rows: PlannedRow[] = [];
  let position = lastPosition;

  for (const event of events) {
    const idKey = keyOf(event.tenant, event.id);
    if (existingIds.has(idKey) || seen.has(idKey)) {
      outcomes.push({ kind: 'duplicate' });
      continue;
    }
    const streamKey = keyOf(event.tenant, event.stream);
    if (closedStreams.has(streamKey)) {
      outcomes.push({
        kind: 'rejected',
        rejection: { code: RejectionCode.StreamDeleted, message: `stream ${event.stream} was deleted for good (hard=true) and takes no more events` },
      });
      continue;
    }
    const current = versions.get(streamKey) ?? 0;
    if (expectationFails(event.expectedVersion, current)) {
      outcomes.push({
        kind: 'rejected',
        rejection: {
          code: RejectionCode.WrongExpectedVersion,
          message: `expectedVersion ${JSON.stringify(event.expectedVersion)} but stream ${event.stream} is at version ${current}`,
        },
      });
      continue;
    }
    seen.add(idKey);
    const version = current + 1;
    versions.set(streamKey, version);
    position += 1;
    rows.push({ event, version, position });
    outcomes.push({ kind: 'persisted', version, position });

    const head = heads.get(streamKey);
    if (head) {
      head.version = version;
      if (event.occurredAt < head.firstOccurredAt) head.firstOccurredAt = event.occurredAt;
      if (event.occurredAt > head.lastOccurredAt) head.lastOccurredAt = event.occurredAt;
    } else {
      heads.set(streamKey, {
        tenant: event.tenant,
        stream: event.stream,
        version,
        firstOccurredAt: event.occurredAt,
        lastOccurredAt: event.occurredAt,
      });
    }
  }
  return { outcomes, rows, heads: [...heads.values()], lastPosition: position };
}

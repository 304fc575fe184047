import { EnrollDto, NewEvent, StoredEvent } from '@eventlog/contracts';
import { EnrollCandidate } from '@eventlog/store';

/**
 * The claim of a source event: the first event of its claim stream (or the next one, for a retry),
 * appended only if that stream is still where the search saw it. Its id names the attempt, so two
 * claims of one attempt are one event (a duplicate) even before their versions are compared; its
 * node is the claim stream, so a job's attempts and outcomes are one node in the source's trace.
 */
export function claimEvent(tenant: string, source: EnrollCandidate, request: EnrollDto, now: Date): NewEvent {
  const attempt = source.claims + 1;
  return {
    id: `${source.claimStream}:${attempt}`,
    tenant,
    stream: source.claimStream,
    type: request.targetType,
    data: { attempt, source: { id: source.id, stream: source.stream, version: source.version, position: source.position } },
    metadata: {},
    source: request.sender,
    status: 'running',
    message: request.description ?? null,
    requestId: source.requestId,
    nodeId: source.claimStream,
    parentNodeId: source.nodeId,
    kafka: null,
    occurredAt: now,
    expectedVersion: source.headVersion ?? 'no_stream',
  };
}

/**
 * The claim as stored, from what its append answered (version, position, recordedAt): the event
 * the reply gives, without reading it back. Its fields are the claim's own, which the append stores
 * as given; occurredAt is spelled as the store spells it (milliseconds, UTC).
 */
export function storedClaim(claim: NewEvent, stored: { version: number; position: number; recordedAt: string }): StoredEvent {
  const { expectedVersion: _expected, occurredAt, ...fields } = claim;
  return { ...fields, version: stored.version, position: stored.position, occurredAt: occurredAt.toISOString(), recordedAt: stored.recordedAt };
}

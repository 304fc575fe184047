import { EnrollCandidate } from '@eventlog/store';
import { claimEvent, storedClaim } from './claim-event';

const source: EnrollCandidate = {
  id: 'build-7',
  stream: 'pipeline-1',
  version: 3,
  position: 41,
  requestId: 'req-7',
  nodeId: 'build',
  claimStream: `enroll:${'a'.repeat(64)}`,
  headVersion: null,
  claims: 0,
};
const request = { sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'worker-1' };
const now = new Date('2026-01-01T00:00:00.000Z');

describe('claimEvent', () => {
  it('a first claim: a new stream (no_stream), running, child of the source node in its request', () => {
    expect(claimEvent('acme', source, { ...request, description: 'deploying' }, now)).toEqual({
      id: `${source.claimStream}:1`,
      tenant: 'acme',
      stream: source.claimStream,
      type: 'Deploy',
      data: { attempt: 1, source: { id: 'build-7', stream: 'pipeline-1', version: 3, position: 41 } },
      metadata: {},
      source: 'worker-1',
      status: 'running',
      message: 'deploying',
      requestId: 'req-7',
      nodeId: source.claimStream,
      parentNodeId: 'build',
      kafka: null,
      occurredAt: now,
      expectedVersion: 'no_stream',
    });
  });

  it('a retry expects the version its search saw and names the next attempt', () => {
    const retry = claimEvent('acme', { ...source, headVersion: 4, claims: 2 }, request, now);
    expect(retry).toMatchObject({ id: `${source.claimStream}:3`, expectedVersion: 4, data: { attempt: 3 }, message: null });
  });

  it('the id is a valid event id for any source: at most 128 characters of the allowed set', () => {
    const id = claimEvent('acme', { ...source, claims: 99 }, request, now).id;
    expect(id).toMatch(/^[A-Za-z0-9._:@-]{1,128}$/);
  });

  it('the stored claim: the claim with the version, position and recordedAt its append answered, occurredAt as the store spells it', () => {
    const claim = claimEvent('acme', source, request, now);
    const stored = storedClaim(claim, { version: 1, position: 1234, recordedAt: '2026-01-01T00:00:00.005Z' });
    expect(stored).toEqual({
      id: claim.id,
      tenant: 'acme',
      stream: source.claimStream,
      version: 1,
      position: 1234,
      type: 'Deploy',
      data: claim.data,
      metadata: {},
      source: 'worker-1',
      status: 'running',
      message: null,
      requestId: 'req-7',
      nodeId: source.claimStream,
      parentNodeId: 'build',
      kafka: null,
      occurredAt: '2026-01-01T00:00:00.000Z',
      recordedAt: '2026-01-01T00:00:00.005Z',
    });
    expect(stored).not.toHaveProperty('expectedVersion');
  });
});

import { countQuery } from './event-query.repository';

describe('countQuery (the log totalCount)', () => {
  it('sums the rollup for a filter on nothing but type and time, binding every value', () => {
    const q = countQuery({ tenant: 'acme', types: ['A', 'B'], from: '2024-01-05T00:00:00.250Z', to: '2024-01-07T03:00:00.000Z' });
    expect(q.text).toContain('FROM event_counts c');
    // The two partial 10 s buckets at the edges are counted from the log, with the filter itself.
    expect(q.text.match(/FROM events e/g)).toHaveLength(2);
    expect(q.values).toEqual(expect.arrayContaining(['acme', ['A', 'B'], '2024-01-05T00:00:10.000Z', '2024-01-07T03:00:00.000Z']));
    expect(q.text).not.toMatch(/acme|'A'/);
  });

  it('sums the rollup for a whole tenant', () => {
    expect(countQuery({ tenant: 'acme' }).text).toContain('FROM event_counts c');
  });

  it.each([['fail'], [''], ["x' OR 1=1 --"]])('sums the rollup for a status (%j), filtering event_counts and the edges alike, bound', (status) => {
    const q = countQuery({ tenant: 'acme', status, types: ['A'], from: '2024-01-05T00:00:00.250Z', to: '2024-01-07T03:00:00.000Z' });
    expect(q.text).toContain('FROM event_counts c');
    expect(q.text).toMatch(/c\.status = \$\d+/);
    expect(q.text.match(/e\.status = \$\d+/g)).toHaveLength(2);
    expect(q.values).toContain(status);
    expect(q.text).not.toContain("'");
  });

  it.each([
    ['a stream', { stream: 's' }],
    ['a stream prefix', { streamPrefix: 's-' }],
    ['a status and a source', { status: 'fail', source: 'svc' }],
    ['a source', { source: 'svc' }],
    ['a request id', { requestId: 'r' }],
    ['a text search', { q: 'timeout' }],
    ['a window holding no whole 10 s bucket', { from: '2024-01-05T00:00:00.001Z', to: '2024-01-05T00:00:19.999Z' }],
  ])('counts the events themselves when the filter has %s', (_name, extra) => {
    const q = countQuery({ tenant: 'acme', ...extra });
    expect(q.text).toMatch(/^SELECT count\(\*\) AS n FROM events e WHERE/);
    expect(q.text).not.toContain('event_counts');
  });
});

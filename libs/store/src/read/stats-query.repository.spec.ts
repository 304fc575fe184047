import { EventFilter } from './event-filter';
import { groupsQuery } from './stats-query.repository';

describe('groupsQuery', () => {
  it('answers a whole tenant from the event_totals rollup, the tenant bound', () => {
    const q = groupsQuery({ tenant: "t'; DROP TABLE events; --" });
    expect(q.text).toContain('FROM event_totals t WHERE t.tenant = $1');
    expect(q.text).not.toContain('FROM events');
    expect(q.values).toEqual(["t'; DROP TABLE events; --"]);
  });

  it.each<[string, EventFilter]>([
    ['a stream', { tenant: 't', stream: 's' }],
    ['a window start', { tenant: 't', from: '2024-01-01T00:00:00Z' }],
    ['a window end', { tenant: 't', to: '2024-01-01T00:00:00Z' }],
    ['a filter field the rollup does not know', { tenant: 't', status: 'failed' }],
  ])('counts the events when the filter has %s', (_, filter) => {
    const q = groupsQuery(filter);
    expect(q.text).toContain('FROM events e WHERE e.tenant = $1');
    expect(q.text).not.toContain('event_totals');
  });

  it('ignores fields given as undefined', () => {
    expect(groupsQuery({ tenant: 't', stream: undefined, from: undefined }).text).toContain('FROM event_totals');
  });
});

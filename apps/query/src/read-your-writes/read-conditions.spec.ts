import { InvalidQueryError } from '@eventlog/contracts';
import { takeReadConditions } from './read-conditions';

const ingestTopics = new Set(['eventlog.ingest', 'orders.in']);
const take = (holder: Record<string, unknown>) => takeReadConditions(holder, (t) => ingestTopics.has(t));
const fieldsRefused = (holder: Record<string, unknown>) => {
  try {
    take(holder);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidQueryError);
    return (err as InvalidQueryError).problems.map((p) => p.field);
  }
  throw new Error('not refused');
};

describe('takeReadConditions', () => {
  it('reads one after, a list of them and minPosition, and takes them out of the request', () => {
    const query: Record<string, unknown> = { stream: 's', after: 'eventlog.ingest:3:41', minPosition: '17' };
    expect(take(query)).toEqual({ after: [{ topic: 'eventlog.ingest', partition: 3, offset: 41n }], minPosition: 17 });
    expect(query).toEqual({ stream: 's' });

    const value: Record<string, unknown> = { after: ['orders.in:0:0', 'eventlog.ingest:11:9223372036854775807'], minPosition: 5 };
    expect(take(value)).toEqual({
      after: [
        { topic: 'orders.in', partition: 0, offset: 0n },
        { topic: 'eventlog.ingest', partition: 11, offset: 9223372036854775807n },
      ],
      minPosition: 5,
    });
    expect(value).toEqual({});
  });

  it('is absent when the request names neither, and leaves the request alone', () => {
    const query = { stream: 's' };
    expect(take(query)).toBeUndefined();
    expect(query).toEqual({ stream: 's' });
  });

  it.each([
    ['not three parts', { after: 'eventlog.ingest:3' }, 'after'],
    ['four parts', { after: 'eventlog.ingest:3:4:5' }, 'after'],
    ['empty', { after: '' }, 'after'],
    ['a partition that is no integer', { after: 'eventlog.ingest:x:4' }, 'after'],
    ['a negative partition', { after: 'eventlog.ingest:-1:4' }, 'after'],
    ['a partition past int32', { after: 'eventlog.ingest:2147483648:4' }, 'after'],
    ['a fractional offset', { after: 'eventlog.ingest:1:4.5' }, 'after'],
    ['a negative offset', { after: 'eventlog.ingest:1:-4' }, 'after'],
    ['an offset past int64', { after: 'eventlog.ingest:1:9223372036854775808' }, 'after'],
    ['an absurdly long value', { after: `eventlog.ingest:1:${'9'.repeat(5000)}` }, 'after'],
    ['a topic ingest does not consume', { after: 'eventlog.dlq:0:1' }, 'after'],
    ['a topic that is no topic name', { after: 'a b:0:1' }, 'after'],
    ['a number where text is expected', { after: 5 }, 'after'],
    ['null', { after: null }, 'after'],
    ['the second of a list', { after: ['eventlog.ingest:0:1', 'eventlog.ingest:0:-1'] }, 'after[1]'],
    ['an empty list', { after: [] }, 'after'],
    ['too many', { after: Array.from({ length: 101 }, (_, i) => `eventlog.ingest:0:${i}`) }, 'after'],
    ['minPosition that is no integer', { minPosition: '1.5' }, 'minPosition'],
    ['minPosition negative', { minPosition: -1 }, 'minPosition'],
    ['minPosition as words', { minPosition: 'soon' }, 'minPosition'],
    ['minPosition past 2^53', { minPosition: '9007199254740993' }, 'minPosition'],
    ['minPosition given twice', { minPosition: ['1', '2'] }, 'minPosition'],
    ['minPosition null', { minPosition: null }, 'minPosition'],
  ])('refuses %s with a 400 naming the field', (_, holder, field) => {
    expect(fieldsRefused(holder)).toEqual([field]);
  });

  it('names every bad field at once', () => {
    expect(fieldsRefused({ after: ['x:0:1', 'eventlog.ingest:0:1', 'eventlog.ingest:a:1'], minPosition: 'x' })).toEqual([
      'after[0]',
      'after[2]',
      'minPosition',
    ]);
  });
});

import { NewEvent } from '@eventlog/contracts';
import { copyChunk, copyText, prepareCopyText } from './copy-rows';

const copyLine = (row: Parameters<typeof copyChunk>[0][number], recordedAt: string) => copyChunk([row], recordedAt).toString('utf8');

describe('COPY text format', () => {
  it('escapes the four characters COPY gives meaning to, and only those', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText('plain "quoted" ünï')).toBe('plain "quoted" ünï');
  });

  it('writes null and undefined as \\N, numbers as digits', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyText(42)).toBe('42');
  });

  it('writes one line per row, its columns tab-separated, JSON with its backslashes escaped', () => {
    const event: NewEvent = {
      id: 'e-1', tenant: 't', stream: 's', type: 'T', data: { path: 'C:\\tmp', text: 'a\nb' }, metadata: {},
      source: null, status: 'ok', message: 'line1\nline2', requestId: null, nodeId: 'e-1', parentNodeId: null,
      occurredAt: new Date('2024-01-01T00:00:00.000Z'), expectedVersion: 'any', kafka: { topic: 'in', partition: 2, offset: 7 },
    } as NewEvent;
    const line = copyLine({ event, version: 3, position: 9 }, '2024-01-01 00:00:01.123456+00');
    expect(line.endsWith('\n')).toBe(true);
    const columns = line.slice(0, -1).split('\t');
    expect(columns).toHaveLength(19);
    expect(columns.slice(0, 7)).toEqual(['9', '3', '2024-01-01 00:00:01.123456+00', 't', 'e-1', 's', 'T']);
    // JSON.stringify already wrote \\ and \n as escapes; COPY needs each backslash doubled once more.
    expect(columns[7]).toBe('{"path":"C:\\\\\\\\tmp","text":"a\\\\nb"}');
    expect(columns[9]).toBe('\\N');
    expect(columns[11]).toBe('line1\\nline2');
    expect(columns.slice(15)).toEqual(['2024-01-01T00:00:00.000Z', 'in', '2', '7']);
  });

  it('renders an event prepared ahead of its plan the same as one rendered in the transaction', () => {
    const make = (): NewEvent => ({
      id: 'e-2', tenant: 't', stream: 's', type: 'T', data: { n: 1 }, metadata: { m: 'x\ty' },
      source: 'src', status: null, message: null, requestId: 'r', nodeId: 'e-2', parentNodeId: null,
      occurredAt: new Date('2024-01-01T00:00:00.000Z'), expectedVersion: 'any', kafka: null,
    });
    const prepared = make();
    prepareCopyText(prepared);
    expect(copyLine({ event: prepared, version: 1, position: 5 }, 'now')).toBe(copyLine({ event: make(), version: 1, position: 5 }, 'now'));
  });
});

describe('copyChunk', () => {
  it('writes rows in order, multi-byte text intact, each line ending in a newline', () => {
    const event = (id: string, note: string): NewEvent => ({
      id, tenant: 't', stream: 's', type: 'T', data: { note }, metadata: {},
      source: null, status: null, message: note, requestId: null, nodeId: id, parentNodeId: null,
      occurredAt: new Date('2024-01-01T00:00:00.000Z'), expectedVersion: 'any', kafka: null,
    });
    const rows = [
      { event: event('a', 'ünï 😀'), version: 1, position: 10 },
      { event: event('b', 'plain'), version: 2, position: 11 },
    ];
    const lines = copyChunk(rows, 'now').toString('utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[0].split('\t').slice(0, 5)).toEqual(['10', '1', 'now', 't', 'a']);
    expect(lines[0].split('\t')[7]).toBe('{"note":"ünï 😀"}');
    expect(lines[1].split('\t').slice(0, 5)).toEqual(['11', '2', 'now', 't', 'b']);
  });
});

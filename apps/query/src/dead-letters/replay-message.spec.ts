import { DeadLetterRecord } from '@eventlog/store';
import { replayMessage } from './replay-message';

function record(value: string | null, extra: Partial<DeadLetterRecord> = {}, tenant: string | null = 'acme'): DeadLetterRecord {
  const bytes = value === null ? null : Buffer.from(value);
  return {
    key: Buffer.from('k'),
    value: bytes,
    headers: [{ name: 'h', value: Buffer.from('1') }],
    envelopeComplete: true,
    valueComplete: true,
    letter: { id: 9, tenant, source: { topic: 'in', partition: 2, offset: '40' }, valueBytes: bytes?.length ?? null } as DeadLetterRecord['letter'],
    ...extra,
  };
}
const planned = (r: DeadLetterRecord, value?: Record<string, unknown>) => {
  const plan = replayMessage(r, value);
  if (!plan.ok) throw new Error(plan.detail.message);
  return plan.message;
};
const refusal = (r: DeadLetterRecord, value?: Record<string, unknown>) => {
  const plan = replayMessage(r, value);
  if (plan.ok) throw new Error('planned');
  return { status: plan.status, field: plan.detail.field };
};
const body = (m: { value?: unknown }) => JSON.parse(String(m.value));

describe('replayMessage', () => {
  it('re-publishes the original bytes, key and headers, naming the record first rejected', () => {
    const m = planned(record('{"id":"x"'));
    expect(m).toEqual({ key: Buffer.from('k'), value: Buffer.from('{"id":"x"'), headers: { h: Buffer.from('1'), 'eventlog-replay-of': 'in:2:40' } });
  });

  it('keeps the first record’s name when the dead letter is itself a replay', () => {
    const again = record('x', { headers: [{ name: 'eventlog-replay-of', value: Buffer.from('in:0:3') }] });
    expect(planned(again).headers).toEqual({ 'eventlog-replay-of': Buffer.from('in:0:3') });
  });

  it('keeps repeated headers, in order', () => {
    const r = record('x', { headers: [{ name: 'h', value: Buffer.from('1') }, { name: 'h', value: Buffer.from('2') }] });
    expect(planned(r).headers!.h).toEqual([Buffer.from('1'), Buffer.from('2')]);
  });

  it('gives a corrected value the dead letter’s tenant and the id the record named', () => {
    expect(body(planned(record('{"id":"e-1","type":5}'), { type: 'T' }))).toEqual({ type: 'T', tenant: 'acme', id: 'e-1' });
    expect(body(planned(record('{"id":"e-1"}'), { id: 'e-1', tenant: 'acme' }))).toEqual({ id: 'e-1', tenant: 'acme' });
  });

  it('refuses a corrected value that names another tenant or another id', () => {
    expect(refusal(record('{"id":"e-1"}'), { tenant: 'other' })).toEqual({ status: 400, field: 'value.tenant' });
    expect(refusal(record('{"id":"e-1"}'), { id: 'e-2' })).toEqual({ status: 400, field: 'value.id' });
    // No readable id: its replays take the one derived from its coordinates.
    expect(refusal(record('{"id":'), { id: 'e-2' })).toEqual({ status: 400, field: 'value.id' });
    expect(body(planned(record('{"id":'), { type: 'T' }))).toEqual({ type: 'T', tenant: 'acme' });
  });

  it('leaves tenant to a caller of every tenant when the dead letter names none', () => {
    expect(body(planned(record('{', {}, null), { tenant: 'any', type: 'T' }))).toEqual({ tenant: 'any', type: 'T' });
  });

  it('sends a binary-mode CloudEvent’s corrected data as given: its id and tenant are in the kept headers', () => {
    const r = record('"x"', { headers: [{ name: 'ce_specversion', value: Buffer.from('1.0') }] });
    expect(body(planned(r, { amount: 1 }))).toEqual({ amount: 1 });
  });

  it('refuses a value kept in part unless corrected, and a key or headers kept in part always', () => {
    expect(refusal(record('x', { valueComplete: false }))).toEqual({ status: 409, field: 'value' });
    expect(body(planned(record('x', { valueComplete: false }), { type: 'T' }))).toEqual({ type: 'T', tenant: 'acme' });
    expect(refusal(record('x', { envelopeComplete: false }), { type: 'T' })).toEqual({ status: 409, field: 'id' });
  });
});

import fc from 'fast-check';
import { IsString, ValidateNested, validateSync } from 'class-validator';
import { ENVELOPE_FIELDS, EventEnvelopeDto } from './event-envelope.dto';
import { compileValidityCheck } from './validity-check';

const byValidateSync = (object: object) =>
  validateSync(Object.setPrototypeOf({ ...object }, EventEnvelopeDto.prototype) as object, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  }).length === 0;

// Values near every rule's edges: lengths, control characters, id characters, times, versions.
const text = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.string({ minLength: 30, maxLength: 33 }),
  fc.string({ minLength: 60, maxLength: 66 }),
  fc.string({ minLength: 125, maxLength: 130 }),
  fc.string({ minLength: 198, maxLength: 202 }),
  fc.constantFrom('', 'a\u0000b', 'tab\there', 'ok-id_1:2@x.y', 'bad id', '2024-01-02T03:04:05.678Z', '2024-13-40T00:00:00Z', 'any', 'no_stream', 'stream_exists', 'x'.repeat(4097)),
);
const anyValue = fc.oneof(
  text,
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(1.5, 1e300, 253402300799999, 253402300800000, NaN, true, false, null, undefined),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const fields = [...ENVELOPE_FIELDS];
const envelope = fc.record(Object.fromEntries(fields.map((f) => [f, anyValue])), { requiredKeys: [] });
// Mostly valid envelopes with one or two fields disturbed, so both answers are common.
const nearlyValid = fc
  .tuple(
    fc.record({ id: fc.constantFrom('e-1', 'kafka:t:0:1'), stream: fc.constantFrom('order-42'), type: fc.constantFrom('OrderPlaced') }),
    envelope,
    fc.subarray(fields, { maxLength: 2 }),
  )
  .map(([valid, noise, disturbed]) => ({ ...valid, ...Object.fromEntries(disturbed.map((f) => [f, (noise as Record<string, unknown>)[f]])) }));

describe('compileValidityCheck', () => {
  const isValid = compileValidityCheck(EventEnvelopeDto);

  it('accepts exactly what validateSync accepts, for any envelope-shaped object (2,000 generated cases)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(envelope, nearlyValid), (object) => {
        const expected = byValidateSync(object);
        if (expected) accepted++;
        expect(isValid(object)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    // Both answers were exercised, not only refusals.
    expect(accepted).toBeGreaterThan(100);
  });

  it('refuses to compile rules it cannot mirror', () => {
    class Nested {
      @ValidateNested()
      child?: object;

      @IsString()
      name!: string;
    }
    expect(() => compileValidityCheck(Nested)).toThrow(/Nested\.child/);
  });
});

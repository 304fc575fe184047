import { Transform } from 'class-transformer';

/*
 * Query strings carry text and Kafka requests carry JSON, so numbers and booleans arrive either way.
 * These conversions accept exactly the two spellings and leave anything else (arrays, objects,
 * "12abc") untouched, so the validator that follows names the field instead of a silent coercion.
 */

/** "42" or 42 → 42. */
export const ToInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value));

/** "true"/"false" (or real booleans) → boolean. */
export const ToBool = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** "a,b" or ["a","b"] → ["a","b"]; empty items dropped. */
export const ToList = () =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  );

/** Epoch milliseconds given as digits in a query string → a number, so IsTimestamp sees either form. */
export const ToTimestamp = () =>
  Transform(({ value }) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value));

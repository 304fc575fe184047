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

/**
 * "a,b", ["a","b"] or ["a,b"] (type=a,b&type=c arrives as an array) → ["a","b",…]; empty items
 * dropped, so ",," becomes [] and ArrayNotEmpty names the field. Lists holding a non-string are left
 * for the validator.
 */
export const ToList = () =>
  Transform(({ value }) => {
    const items = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(items) || !items.every((v) => typeof v === 'string')) return value;
    return items.flatMap((v: string) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  });

/** Epoch milliseconds given as digits in a query string → a number, so IsTimestamp sees either form. */
export const ToTimestamp = () =>
  Transform(({ value }) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value));

/**
 * One Map key for a tuple (tenant and id, tenant and stream, topic and partition): the parts joined
 * by NUL, which no tenant, id, stream or topic may contain, so two tuples never share a key.
 */
export const keyOf = (...parts: (string | number)[]): string => parts.join('\u0000');

/** The parts of a keyOf key, as text. */
export const partsOf = (key: string): string[] => key.split('\u0000');

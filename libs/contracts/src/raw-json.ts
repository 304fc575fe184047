import { randomBytes } from 'node:crypto';

/**
 * JSON text that Postgres already built, carried through the query app to the response without
 * being parsed and serialised again. Serialise replies with stringifyWithRaw (HTTP and Kafka do) to
 * splice the text in as it is; any other JSON.stringify still gets the right value, through a parse.
 */
export class RawJson {
  constructor(readonly json: string) {}

  toJSON(): unknown {
    if (!slots) return JSON.parse(this.json);
    slots.push(this.json);
    return `${MARK}${slots.length - 1}`;
  }
}

// A slot's placeholder: NUL (which Postgres text and jsonb refuse) and a per-process nonce, so no
// string a caller sends or stores can pass for one.
const NONCE = randomBytes(8).toString('hex');
const MARK = `\u0000${NONCE}:`;
const SLOT = new RegExp(`"\\\\u0000${NONCE}:(\\d+)"`, 'g');
let slots: string[] | undefined;

/** JSON.stringify, with every RawJson inside written as its own text. */
export function stringifyWithRaw(value: unknown): string {
  slots = [];
  try {
    const text = JSON.stringify(value);
    const raws = slots;
    return raws.length === 0 ? text : text.replace(SLOT, (_, i: string) => raws[Number(i)]);
  } finally {
    slots = undefined;
  }
}

/**
 * Collects the values of one statement and hands back their placeholders, so every value reaches
 * Postgres as a bound parameter and SQL text is only ever built from fixed fragments.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  /** `$n`, or `$n::cast` when Postgres cannot infer the type (cast is always a literal of ours). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/** Escapes LIKE's wildcards so user text matches literally (used with ESCAPE '\'). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

import { QueryConfig } from 'pg';

/**
 * Names for the statement texts a process runs again and again, so that each pooled connection
 * parses a text once and Postgres's plan cache may keep its generic plan: with plan_cache_mode =
 * auto it plans the first five executions with their values, then keeps the generic plan when that
 * is not dearer, planning counted. Over the partitioned log planning is most of a read's cost, as
 * no value prunes (decision 039: a DSL count planned 23 ms and ran 4 over 37 partitions).
 *
 * Capped per instance: every connection keeps every statement it prepared, and a generic plan over
 * every partition is large, so texts beyond `max` (filters of rare shapes) run unnamed, planned per call.
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly prefix: string,
    private readonly max: number,
  ) {}

  /** The statement, named when its text has (or gets, within the cap) a name. */
  statement(text: string, values: unknown[] = []): QueryConfig {
    const name = this.nameOf(text);
    return name === undefined ? { text, values } : { name, text, values };
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.max) {
      name = `${this.prefix}_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/** One problem with a query's input, named by its field (`pageSize`, `where[1].value`). */
export interface InputProblem {
  field: string;
  message: string;
}

/** The query cannot run as asked. The API answers 400 with these problems as details. */
export class InvalidQueryError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map((p) => p.message).join('; '));
  }

  static of(field: string, message: string): InvalidQueryError {
    return new InvalidQueryError([{ field, message }]);
  }
}

import { ASTNode, ExecutionResult, GraphQLError, GraphQLFormattedError, Kind, parse, ValueNode, visit } from 'graphql';
import mercurius, { MercuriusContext } from 'mercurius';

/**
 * A reply with data (a field failed; the others answered) is a 200, as GraphQL over HTTP has it;
 * one without (the document did not parse or validate, or was refused for its size) is a 400.
 * Field errors come from the app's exception filter, already in the contract's terms; a document's
 * errors that point at an argument value (a wrong type, an unknown argument, a null for a
 * required one) are given that argument's path, as every other refusal names its field.
 */
export function formatGraphqlErrors(execution: ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>, context: MercuriusContext) {
  const { response } = mercurius.defaultErrorFormatter(execution, context);
  if (execution.data) return { statusCode: 200, response };
  const documentErrors = execution.errors.flatMap((e) => (Array.isArray((e.originalError as { errors?: unknown })?.errors) ? (e.originalError as unknown as { errors: GraphQLError[] }).errors : [e]));
  const errors = (response.errors ?? []).map((formatted, i) => named(formatted, documentErrors[i]));
  return { statusCode: 400, response: { ...response, errors } };
}

function named(formatted: GraphQLFormattedError, error: GraphQLError | undefined): GraphQLFormattedError {
  if (formatted.extensions?.code || !error?.source || !error.positions?.length || error.message.startsWith('Syntax Error')) return formatted;
  const field = argumentPathAt(error.source.body, error.positions[0]);
  if (!field) return formatted;
  const message = `${field}: ${formatted.message}`;
  return { ...formatted, message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', statusCode: 400, details: [{ field, message }] } };
}

/** The argument (with the input fields and list items inside it) whose text holds `position`. */
function argumentPathAt(body: string, position: number): string | undefined {
  const within = (node: ASTNode) => node.loc !== undefined && node.loc.start <= position && position < node.loc.end;
  const inside = (value: ValueNode): string => {
    if (value.kind === Kind.OBJECT) {
      const field = value.fields.find(within);
      return field ? `.${field.name.value}${inside(field.value)}` : '';
    }
    if (value.kind === Kind.LIST) {
      const i = value.values.findIndex(within);
      return i < 0 ? '' : `[${i}]${inside(value.values[i])}`;
    }
    return '';
  };
  let path: string | undefined;
  // The document parsed before it failed validation; arguments never nest, so the first one found is it.
  visit(parse(body), {
    Argument(node) {
      if (path === undefined && within(node)) path = node.name.value + inside(node.value);
    },
  });
  return path;
}

/** The limits' refusals, thrown from the pre-validation hook as mercurius's own validation errors are. */
export function documentRefused(errors: GraphQLError[]): Error {
  return Object.assign(new Error('the document exceeds the GraphQL limits'), { errors, statusCode: 400 });
}

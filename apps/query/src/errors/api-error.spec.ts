import { toErrorBody } from './api-error';

const pgError = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('toErrorBody: what a failure from Postgres becomes', () => {
  it.each([
    ['a lost connection (08006)', pgError('08006')],
    ['the server shutting down (57P01)', pgError('57P01')],
    ['too many connections (53300)', pgError('53300')],
    ['the database missing (3D000)', pgError('3D000', 'database "eventlog" does not exist')],
    ['a refused socket', pgError('ECONNREFUSED')],
  ])('%s: 503, unavailable', (_what, err) => {
    expect(toErrorBody(err)).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: 'the database is unavailable; try again later' });
  });

  it('no pooled connection free in time: 503, saying no connection came free rather than that Postgres is away', () => {
    expect(toErrorBody(new Error('timeout exceeded when trying to connect'))).toMatchObject({
      statusCode: 503,
      message: 'no database connection came free in time (Postgres is busy or slow); try again later',
    });
  });

  it('a value Postgres refused (class 22): 400', () => {
    expect(toErrorBody(pgError('22P02', 'invalid input syntax'))).toMatchObject({ statusCode: 400 });
  });

  it('anything else: 500 without internals', () => {
    expect(toErrorBody(pgError('42P01', 'relation "secret" does not exist'))).toEqual(
      expect.objectContaining({ statusCode: 500, message: 'Internal server error' }),
    );
  });
});

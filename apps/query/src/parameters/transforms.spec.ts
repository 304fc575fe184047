import 'reflect-metadata';
import { parse as parseQueryString } from 'node:querystring';
import { ApiError } from '../errors/api-error';
import { createValidationPipe } from '../validation/validation.pipe';
import { ListEventsQueryDto } from '@eventlog/contracts';

const pipe = createValidationPipe();
const listQuery = (text: string) => pipe.transform(parseQueryString(text), { type: 'query', metatype: ListEventsQueryDto, data: undefined }) as Promise<ListEventsQueryDto>;

describe('ToList (type=… in a query string or a JSON request)', () => {
  it('splits comma lists, also when the key is given more than once', async () => {
    expect((await listQuery('type=A,B')).type).toEqual(['A', 'B']);
    expect((await listQuery('type=A,B&type=C')).type).toEqual(['A', 'B', 'C']);
    expect((await pipe.transform({ type: ['A', ' B ,C'] }, { type: 'body', metatype: ListEventsQueryDto, data: undefined })).type).toEqual(['A', 'B', 'C']);
  });

  it('a list of nothing but commas is a 400 naming type, given once or twice', async () => {
    for (const text of ['type=,,', 'type=,,&type=,,', 'type=&type=']) {
      const err = await listQuery(text).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).body.details.map((d) => d.field)).toContain('type');
    }
  });

  it('a list holding a non-string is left for the validator, which names it', async () => {
    const err = await pipe.transform({ type: ['A', 7] }, { type: 'body', metatype: ListEventsQueryDto, data: undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).body.details.map((d) => d.field)).toContain('type');
  });
});

import { PreparedStatements } from './prepared-statements';

describe('PreparedStatements', () => {
  it('names each text once and the same way every time, and runs texts beyond the cap unnamed', () => {
    const prepared = new PreparedStatements('read', 2);
    expect(prepared.statement('SELECT 1', [1])).toEqual({ name: 'read_1', text: 'SELECT 1', values: [1] });
    expect(prepared.statement('SELECT 2')).toEqual({ name: 'read_2', text: 'SELECT 2', values: [] });
    expect(prepared.statement('SELECT 1', [7])).toEqual({ name: 'read_1', text: 'SELECT 1', values: [7] });
    expect(prepared.statement('SELECT 3', [3])).toEqual({ text: 'SELECT 3', values: [3] });
    expect(prepared.statement('SELECT 2').name).toBe('read_2');
  });
});

import { describe, expect, it } from 'vitest';
import { columnsOf, columnsStateOf, queryOf, stateOf } from './views';

describe('saved views', () => {
  it('keeps the filters set, the sort and the page size, and opens them again', () => {
    const q = queryOf({ filters: { levelCode: 'A', q: ' ', statusCode: '', due: 'true' }, sort: { field: 'lastFollowupAt', order: 'asc' }, pageSize: 50 });
    expect(q).toEqual({ levelCode: 'A', due: 'true', sort: 'lastFollowupAt', order: 'asc', pageSize: '50' });
    expect(stateOf(q)).toEqual({ filters: { levelCode: 'A', due: 'true' }, sort: { field: 'lastFollowupAt', order: 'asc' }, pageSize: 50 });
  });

  it('ignores what this page cannot show', () => {
    expect(stateOf({ idleDays: '30', sort: 'name', pageSize: 'x' })).toEqual({ filters: {}, sort: undefined, pageSize: undefined });
  });

  it('stores columns only when they differ from the default, and restores them', () => {
    const keys = ['name', 'levelCode', 'city', 'lastFollowupAt'];
    expect(columnsOf({}, keys)).toEqual([]);
    const state = { city: { show: false }, lastFollowupAt: { order: -1 } };
    const cols = columnsOf(state, keys);
    expect(cols).toEqual(['lastFollowupAt', 'name', 'levelCode']);
    const back = columnsStateOf(cols, keys);
    expect(back.city.show).toBe(false);
    expect(columnsOf(back, keys)).toEqual(cols);
    expect(columnsOf(columnsStateOf([], keys), keys)).toEqual([]);
  });
});

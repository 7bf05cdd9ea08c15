import { describe, expect, it } from 'vitest';
import { filterOf, paramsOf, valueText, valuesBody, type CustomField } from './customFields';

const field = (code: string, kind: CustomField['kind'], active = true): CustomField => ({
  id: code,
  entity: 'customer',
  code,
  label: code,
  kind,
  options: kind === 'select' || kind === 'multi_select' ? [{ code: 'pump', label: '水泵', active: true }, { code: 'valve', label: '阀门', active: true }] : [],
  required: false,
  position: 0,
  active,
  updatedAt: 0,
  version: 1,
});

const fields = [field('budget', 'number'), field('scale', 'select'), field('lines', 'multi_select'), field('since', 'date'), field('memo', 'text')];

describe('custom fields', () => {
  it('reads values by label, numbers grouped', () => {
    expect(valueText(fields[2], ['pump', 'valve'])).toBe('水泵、阀门');
    expect(valueText(fields[1], 'gone')).toBe('gone');
    expect(valueText(fields[0], 1200000)).toBe((1200000).toLocaleString());
    expect(valueText(fields[3], null)).toBe('');
  });

  it('turns the search form into the server filter and back', () => {
    const params = { cf_budget: ['100', null], cf_scale: 'pump', cf_lines: ['pump', 'valve'], cf_since: ['2024-01-01', '2024-12-31'], cf_memo: ' a;b ', other: 'x' };
    const cf = filterOf(fields, params);
    expect(cf).toBe('budget:gte:100;scale:in:pump;lines:in:pump,valve;since:gte:2024-01-01;since:lte:2024-12-31;memo:like:a b');
    expect(paramsOf(fields, cf)).toEqual({ cf_budget: ['100', undefined], cf_scale: 'pump', cf_lines: ['pump', 'valve'], cf_since: ['2024-01-01', '2024-12-31'], cf_memo: 'a b' });
    expect(filterOf(fields, { cf_scale: '', cf_lines: [] })).toBeUndefined();
    expect(paramsOf(fields, 'unknown:eq:1;broken')).toEqual({});
  });

  it('sends emptied fields as null and leaves out retired ones', () => {
    const all = [...fields, field('old', 'text', false)];
    expect(valuesBody(all, { memo: ' ', lines: [], budget: 5, old: 'x', scale: undefined })).toEqual({ memo: null, lines: null, budget: 5 });
  });
});

import { describe, expect, it } from 'vitest';
import { dispositionName } from './download';

describe('dispositionName', () => {
  it('prefers the UTF-8 name', () => {
    expect(dispositionName(`attachment; filename="import.xlsx"; filename*=UTF-8''%E5%AE%A2%E6%88%B7-errors.xlsx`, 'x')).toBe('客户-errors.xlsx');
  });
  it('falls back to the plain name, then to the given one', () => {
    expect(dispositionName('attachment; filename="customers-2026.csv"', 'x')).toBe('customers-2026.csv');
    expect(dispositionName(null, 'template.xlsx')).toBe('template.xlsx');
    expect(dispositionName(`attachment; filename*=UTF-8''%E5%ZZ`, 'f.csv')).toBe('f.csv');
  });
});

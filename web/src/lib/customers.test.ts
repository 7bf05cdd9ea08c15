import { describe, expect, it } from 'vitest';
import { optionLabel, selectOptions, type CustomerOption } from './customers';

const options: CustomerOption[] = [
  { kind: 'level', code: 'A', name: 'A 级', nameEn: 'Level A', active: true },
  { kind: 'level', code: 'Z', name: '停用级', nameEn: 'Retired', active: false },
  { kind: 'type', code: 'smb', name: '中小客户', nameEn: 'SMB', active: true },
];

describe('customer pick lists', () => {
  it('labels known codes and shows unknown ones as they are', () => {
    expect(optionLabel(options, 'level', 'A')).toBe('A 级');
    expect(optionLabel(options, 'level', 'Q')).toBe('Q');
    expect(optionLabel(options, 'level', null)).toBe('');
  });
  it('offers only active entries of one kind', () => {
    expect(selectOptions(options, 'level').map((o) => o.value)).toEqual(['A']);
  });
});

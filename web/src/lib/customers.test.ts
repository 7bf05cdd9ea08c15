import { describe, expect, it } from 'vitest';
import { countText, formatAddress, matchExplanation, optionLabel, selectOptions, type CustomerOption } from './customers';

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

describe('duplicate-check explanations', () => {
  it('names the evidence and the shared words', () => {
    expect(matchExplanation({ reasons: ['same_core_name'], shared: ['博雅新锐软件'] })).toBe('名称主体相同，但地区不同（不同地区视为不同公司）');
    expect(matchExplanation({ reasons: ['similar_name'], shared: ['南瑞', '电气'] })).toBe('都含有“南瑞、电气”');
    expect(matchExplanation({ reasons: ['credit_code', 'contact_mobile'], shared: [] })).toBe('统一社会信用代码相同；联系人手机号相同');
  });
});

describe('addresses', () => {
  it('run province, city, district and street together', () => {
    expect(formatAddress({ province: '上海市', city: '上海', district: '虹口区', address: '开元路2055号24楼' })).toBe('上海市虹口区开元路2055号24楼');
    expect(formatAddress({ province: '四川省', city: '成都', district: '新都区', address: '凤凰路2414号' })).toBe('四川省成都市新都区凤凰路2414号');
    expect(formatAddress({ province: '广西壮族自治区', city: '南宁市', district: null, address: null })).toBe('广西壮族自治区南宁市');
    expect(formatAddress({ city: '杭州' })).toBe('杭州市');
    expect(formatAddress({})).toBe('');
  });
});

describe('counts', () => {
  it('say when more matched than were counted', () => {
    expect(countText(42)).toBe('42');
    expect(countText(10000, false)).toBe('10,000+');
    expect(countText(undefined)).toBe('…');
  });
});

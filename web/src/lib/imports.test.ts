import { describe, expect, it } from 'vitest';
import { columnLetter, effectiveValues, importStep, isRunning } from './imports';

describe('import helpers', () => {
  it('names columns as spreadsheets do', () => {
    expect(columnLetter(0)).toBe('A');
    expect(columnLetter(25)).toBe('Z');
    expect(columnLetter(26)).toBe('AA');
    expect(columnLetter(27)).toBe('AB');
    expect(columnLetter(701)).toBe('ZZ');
    expect(columnLetter(702)).toBe('AAA');
  });

  it('follows a job through the steps', () => {
    expect(importStep(undefined)).toBe(0);
    expect(importStep('uploaded')).toBe(1);
    expect(importStep('validating')).toBe(2);
    expect(importStep('invalid')).toBe(2);
    expect(importStep('importing')).toBe(3);
    expect(importStep('imported')).toBe(3);
    expect(isRunning('importing')).toBe(true);
    expect(isRunning('validated')).toBe(false);
  });
});

describe('value mapping', () => {
  const column = {
    column: 1,
    field: 'typeCode',
    kind: 'type' as const,
    customFieldId: null,
    more: false,
    choices: [
      { code: 'dealer', labelZh: '经销商/代理商', labelEn: 'Dealer' },
      { code: 'government', labelZh: '政府/事业单位', labelEn: 'Government' },
    ],
    values: [
      { value: '经销商', rows: 2, suggested: 'dealer', remembered: null },
      { value: '政府机构', rows: 1, suggested: 'government', remembered: 'dealer' },
      { value: '外资', rows: 1, suggested: null, remembered: null },
    ],
  };
  it('takes the user choice, else the remembered one, else the suggestion', () => {
    expect(effectiveValues([column], {})).toEqual({ typeCode: { 经销商: 'dealer', 政府机构: 'dealer' } });
    expect(effectiveValues([column], { typeCode: { 政府机构: 'government', 外资: 'dealer' } })).toEqual({
      typeCode: { 经销商: 'dealer', 政府机构: 'government', 外资: 'dealer' },
    });
  });
  it('keeps a cleared choice cleared and ignores codes that are not choices', () => {
    expect(effectiveValues([column], { typeCode: { 经销商: '', 外资: 'nope' } })).toEqual({ typeCode: { 政府机构: 'dealer' } });
  });
});

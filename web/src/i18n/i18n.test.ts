import { describe, expect, it } from 'vitest';
import { zhCN } from './zh-CN';
import { enUS } from './en-US';
import { currentLocale, setLocale, t } from './index';

describe('i18n', () => {
  it('has every Chinese key in English, none empty', () => {
    for (const key of Object.keys(zhCN)) {
      expect(enUS[key as keyof typeof zhCN], key).toBeTruthy();
    }
    expect(Object.keys(enUS).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('defaults to zh-CN, fills placeholders and switches language', () => {
    expect(currentLocale()).toBe('zh-CN');
    expect(t('home.greeting', { name: '王伟' })).toBe('王伟，您好');
    setLocale('en-US');
    expect(t('home.greeting', { name: 'Wang Wei' })).toBe('Hello, Wang Wei');
    expect(localStorage.getItem('salesdesk.locale')).toBe('en-US');
    setLocale('zh-CN');
  });

  it('falls back to the key for unknown keys', () => {
    expect(t('no.such.key')).toBe('no.such.key');
  });
});

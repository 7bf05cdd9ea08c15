// zh-CN first, en-US second. Keys are dotted; error codes from the server are keys too
// (under `error.`), so a code the UI knows is shown in the UI's words.
import { useSyncExternalStore } from 'react';
import { zhCN } from './zh-CN';
import { enUS } from './en-US';

export type Locale = 'zh-CN' | 'en-US';
export type Messages = typeof zhCN;

const catalogues: Record<Locale, Record<string, string>> = { 'zh-CN': zhCN, 'en-US': enUS };
const STORAGE_KEY = 'salesdesk.locale';
const listeners = new Set<() => void>();

let locale: Locale = (typeof localStorage !== 'undefined' && (localStorage.getItem(STORAGE_KEY) as Locale)) || 'zh-CN';
if (!catalogues[locale]) locale = 'zh-CN';

export function currentLocale(): Locale {
  return locale;
}

export function setLocale(next: Locale) {
  if (next === locale || !catalogues[next]) return;
  locale = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  listeners.forEach((l) => l());
}

/** Translates a key, filling `{name}` placeholders. Unknown keys fall back to zh-CN, then the key. */
export function t(key: string, vars?: Record<string, string | number>): string {
  const raw = catalogues[locale][key] ?? catalogues['zh-CN'][key] ?? key;
  return vars ? raw.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`)) : raw;
}

export function useLocale(): Locale {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => locale,
  );
}

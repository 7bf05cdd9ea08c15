// The customer archive's pick lists (type, level, status, industry, source) and how their
// codes read in the current language.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { currentLocale, t } from '../i18n';

export type CustomerOption = Schemas['OptionView'];
export type OptionKind = 'type' | 'level' | 'status' | 'industry' | 'source';

export function useCustomerOptions(enabled = true) {
  return useQuery({ queryKey: ['customer-options'], queryFn: () => unwrap(api.GET('/api/v1/customer-settings/options')), enabled, staleTime: 5 * 60_000 });
}

/** The label of a code in a pick list; the code itself when the list does not know it. */
export function optionLabel(options: CustomerOption[] | undefined, kind: OptionKind, code: string | null | undefined): string {
  if (!code) return '';
  const o = options?.find((x) => x.kind === kind && x.code === code);
  if (!o) return code;
  return currentLocale() === 'en-US' ? o.nameEn : o.name;
}

/** Select options for one pick list: active entries only. */
export function selectOptions(options: CustomerOption[] | undefined, kind: OptionKind) {
  return (options ?? []).filter((o) => o.kind === kind && o.active).map((o) => ({ value: o.code, label: optionLabel(options, kind, o.code) }));
}

export const LEVEL_COLOURS: Record<string, string> = { A: 'red', B: 'orange', C: 'blue', D: 'default' };

/** How many duplicate-check matches the form shows before "show more". */
export const DUPLICATES_SHOWN = 5;

/** Why a duplicate-check match matched, in words: the evidence, then the words both names share. */
export function matchExplanation(m: Pick<Schemas['DuplicateMatchView'], 'reasons' | 'shared'>): string {
  const parts: string[] = [];
  if (m.reasons.includes('credit_code')) parts.push(t('customers.dupWhy.credit_code'));
  if (m.reasons.includes('same_name')) parts.push(t('customers.dupWhy.same_name'));
  if (m.reasons.includes('contact_mobile')) parts.push(t('customers.dupWhy.contact_mobile'));
  if (m.reasons.includes('same_core_name')) parts.push(t('customers.dupWhy.same_core_name'));
  if (m.reasons.includes('similar_name') && m.shared.length > 0) parts.push(t('customers.dupWhy.shared', { words: m.shared.join('、') }));
  return parts.join('；');
}

/** A postal address as it is written in China: province, city, district and street run
 * together (上海市虹口区四川北路1688号), the city left out when the province is that city. */
export function formatAddress(c: { province?: string | null; city?: string | null; district?: string | null; address?: string | null }): string {
  const province = c.province?.trim() ?? '';
  let city = c.city?.trim() ?? '';
  if (city && !/(市|自治州|地区|盟)$/.test(city)) city = `${city}市`;
  if (city && province.startsWith(city.replace(/市$/, ''))) city = '';
  return [province, city, c.district?.trim() ?? '', c.address?.trim() ?? ''].join('');
}

/** A list's count as people read it: "1,000+" when more matched than were counted. */
export function countText(total: number | undefined, exact = true): string {
  if (total === undefined) return '…';
  return exact ? String(total) : `${total.toLocaleString('en-US')}+`;
}

// Custom fields (自定义字段): the company's own customer fields, how their values read, what
// the form sends, and the list filter the server takes (`cf=code:op:value;...`).
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';

export type CustomField = Schemas['CustomFieldView'];
export type FieldValue = string | number | string[] | null | undefined;

export function useCustomFields(enabled = true) {
  return useQuery({ queryKey: ['custom-fields'], queryFn: () => unwrap(api.GET('/api/v1/custom-fields')), enabled, staleTime: 5 * 60_000 });
}

/** Active fields in their order: what forms, columns and filters show. */
export const activeFields = (fields: CustomField[] | undefined) => (fields ?? []).filter((f) => f.active);

/** A value as people read it: option labels (in the field's order), numbers grouped. */
export function valueText(field: CustomField, value: FieldValue): string {
  if (value === null || value === undefined || value === '') return '';
  const label = (code: string) => field.options.find((o) => o.code === code)?.label ?? code;
  if (Array.isArray(value)) return value.map(label).join('、');
  if (field.kind === 'select') return label(String(value));
  if (typeof value === 'number') return value.toLocaleString();
  return String(value);
}

/** The list column / search form key of a field. */
export const columnKey = (code: string) => `cf_${code}`;

/**
 * The `cf` filter for the search form's custom field entries: selects and multi selects by
 * option, text containing, numbers and dates within a range. Undefined when none is set.
 */
export function filterOf(fields: CustomField[], params: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  for (const f of fields) {
    const v = params[columnKey(f.code)];
    if (v === undefined || v === null || v === '') continue;
    if (f.kind === 'select' || f.kind === 'multi_select') {
      const codes = (Array.isArray(v) ? v : [v]).map(String).filter(Boolean);
      if (codes.length) parts.push(`${f.code}:in:${codes.join(',')}`);
    } else if (f.kind === 'text') {
      // `;` separates conditions: a searched text cannot hold one.
      const text = String(v).replace(/;/g, ' ').trim();
      if (text) parts.push(`${f.code}:like:${text}`);
    } else if (Array.isArray(v)) {
      const [from, to] = v.map((x) => (x === null || x === undefined ? '' : String(x).trim()));
      if (from) parts.push(`${f.code}:gte:${from}`);
      if (to) parts.push(`${f.code}:lte:${to}`);
    }
  }
  return parts.length ? parts.join(';') : undefined;
}

/** The search form's custom field entries for a stored `cf` filter (the reverse of filterOf). */
export function paramsOf(fields: CustomField[], cf: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of (cf ?? '').split(';')) {
    const [code, op, ...rest] = part.split(':');
    const value = rest.join(':');
    const f = fields.find((x) => x.code === code);
    if (!f || !op) continue;
    const key = columnKey(f.code);
    if (op === 'in' || op === 'eq') {
      const codes = value.split(',').filter(Boolean);
      out[key] = f.kind === 'multi_select' ? codes : codes[0];
    } else if (op === 'like') {
      out[key] = value;
    } else if (op === 'gte' || op === 'lte') {
      const range = (out[key] as [string | undefined, string | undefined] | undefined) ?? [undefined, undefined];
      range[op === 'gte' ? 0 : 1] = value;
      out[key] = range;
    }
  }
  return out;
}

/**
 * What the customer form sends for custom fields: every active field, an emptied one as null
 * (so clearing it clears it on the server). Numbers typed with separators are sent as text.
 */
export function valuesBody(fields: CustomField[], form: Record<string, FieldValue> | undefined): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of activeFields(fields)) {
    const v = form?.[f.code];
    if (v === undefined) continue;
    if (v === '' || (Array.isArray(v) && v.length === 0)) out[f.code] = null;
    else out[f.code] = typeof v === 'string' ? v.trim() || null : v;
  }
  return out;
}

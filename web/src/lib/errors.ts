// Turning API errors into what people see: field errors on their form fields, the rest as a
// message with the error id for support.
import type { FormInstance } from 'antd';
import { message } from 'antd';
import { ApiError } from '../api/client';
import { t } from '../i18n';

/** Puts the server's field errors on the form's fields; returns true if any field matched. */
export function applyFieldErrors(form: FormInstance, err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  const names = Object.keys(err.fields);
  const known = names.filter((n) => form.getFieldInstance?.(n) !== undefined || form.getFieldValue(n) !== undefined);
  // `customFields.scale` is the form's nested field ['customFields', 'scale'].
  const path = (name: string) => (/^[A-Za-z]+\.[a-z0-9_]+$/.test(name) ? name.split('.') : name);
  form.setFields(names.map((name) => ({ name: path(name), errors: [err.fields[name].message] })));
  return known.length > 0 || names.length > 0;
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const id = err.status >= 500 && err.requestId ? ` (${t('error.requestId')}: ${err.requestId})` : '';
    return `${err.message}${id}`;
  }
  if (err instanceof TypeError) return t('error.network');
  return t('error.generic');
}

/** Shows a failed action: field errors on the form when there is one, else a message. */
export function reportError(err: unknown, form?: FormInstance) {
  if (form && applyFieldErrors(form, err) && err instanceof ApiError && Object.keys(err.fields).length > 0) return;
  message.error(describeError(err));
}

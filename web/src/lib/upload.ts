// Sending a file as the request body (imports, attachments) and showing what was sent.
import { ApiError } from '../api/client';
import { currentLocale } from '../i18n';

/**
 * POSTs a file as the raw body; returns the JSON answer or throws ApiError. A problem with
 * the file itself (field `file`) becomes the error's message, so a toast names it.
 */
export async function postFile<T>(url: string, file: Blob): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'accept-language': currentLocale() },
    body: file,
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = new ApiError(res.status, body);
    const fileProblem = e.fields.file?.message ?? e.fields.fileName?.message;
    throw fileProblem ? new ApiError(res.status, { ...body, message: fileProblem }) : e;
  }
  return body as T;
}

/** 3.2 MB, 640 KB, 12 B: sizes as people read them. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Pictures the server shows inline (the rest are downloads). */
export const isPicture = (contentType: string) => ['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(contentType);

/** What the file picker offers; the server checks each file's content against its name. */
export const ATTACHMENT_ACCEPT =
  '.jpg,.jpeg,.png,.gif,.webp,.bmp,.heic,.heif,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.dps,.txt,.csv,.zip,.rar,.7z,.mp3,.m4a,.amr,.wav,.mp4,.mov';

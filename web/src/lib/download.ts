// Saving a file the server sends (exports, templates, error files) as the browser's download.
import { ApiError } from '../api/client';

/** The file name a Content-Disposition header gives (RFC 5987 `filename*` first). */
export function dispositionName(header: string | null, fallback: string): string {
  const cd = header ?? '';
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(cd)?.[1];
  if (utf8) {
    try {
      return decodeURIComponent(utf8);
    } catch {
      /* a malformed name: try the plain one */
    }
  }
  return /filename="([^"]+)"/.exec(cd)?.[1] ?? fallback;
}

/** Saves a fetched file, or throws the server's error body as ApiError. */
export async function saveResponse(res: Response, fallback: string): Promise<void> {
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
  const name = dispositionName(res.headers.get('content-disposition'), fallback);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

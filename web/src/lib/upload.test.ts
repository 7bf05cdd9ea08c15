import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatBytes, isPicture, postFile } from './upload';
import { ApiError } from '../api/client';

describe('upload', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('formats sizes as people read them', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(640 * 1024)).toBe('640 KB');
    expect(formatBytes(3.24 * 1024 * 1024)).toBe('3.2 MB');
  });

  it('shows only browser pictures inline', () => {
    expect(isPicture('image/jpeg')).toBe(true);
    expect(isPicture('image/heic')).toBe(false);
    expect(isPicture('application/pdf')).toBe(false);
  });

  it('sends the file as the body and names the file problem in the error', async () => {
    const fetchMock = vi.fn().mockResolvedValue(
      new Response(JSON.stringify({ code: 'validation', message: '提交的内容有误', fields: { file: { code: 'attachment.content_mismatch', message: '文件内容与扩展名不符' } } }), { status: 422 }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const file = new Blob(['<html>']);
    const err = await postFile('/api/v1/customers/x/attachments?fileName=a.jpg', file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('文件内容与扩展名不符');
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toContain('fileName=a.jpg');
    expect(init.body).toBe(file);
    expect((init.headers as Record<string, string>)['content-type']).toBe('application/octet-stream');
  });
});

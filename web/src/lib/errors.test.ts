import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { describeError } from './errors';

describe('error messages', () => {
  it('uses the server message and adds the error id for server errors only', () => {
    const body = { code: 'internal', message: '系统内部错误', fields: {}, requestId: 'abc-123' };
    expect(describeError(new ApiError(500, body))).toBe('系统内部错误 (错误编号: abc-123)');
    expect(describeError(new ApiError(409, { ...body, message: '用户名已被使用' }))).toBe('用户名已被使用');
  });

  it('explains network failures', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toBe('网络异常，请检查连接后重试');
  });

  it('keeps field problems by field', () => {
    const e = new ApiError(422, { code: 'validation', message: 'x', fields: { mobile: { code: 'mobile.invalid', message: '手机号格式不正确' } }, requestId: '' });
    expect(e.fields.mobile.code).toBe('mobile.invalid');
  });
});

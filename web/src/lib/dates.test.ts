import { describe, expect, it } from 'vitest';
import dayjs from 'dayjs';
import { daysAgo, shortDate } from './dates';

describe('dates in lists', () => {
  const now = dayjs('2026-12-05T10:00:00').valueOf();
  it('show the year when it is not this year', () => {
    expect(shortDate(dayjs('2026-03-16T09:30:00').valueOf(), true, now)).toBe('03-16 09:30');
    expect(shortDate(dayjs('2025-03-16T09:30:00').valueOf(), true, now)).toBe('2025-03-16 09:30');
    expect(shortDate(dayjs('2025-03-16T09:30:00').valueOf(), false, now)).toBe('2025-03-16');
    expect(shortDate(null)).toBe('—');
  });
  it('count calendar days', () => {
    expect(daysAgo(dayjs('2026-12-05T00:10:00').valueOf(), now)).toBe(0);
    expect(daysAgo(dayjs('2026-12-04T23:59:00').valueOf(), now)).toBe(1);
    expect(daysAgo(dayjs('2026-11-05T12:00:00').valueOf(), now)).toBe(30);
  });
});

// How dates read in lists: the year only when it is not this year, so a date 21 months ago
// never passes for a recent one.
import dayjs from 'dayjs';

/** `MM-DD HH:mm` this year, `YYYY-MM-DD HH:mm` otherwise (`withTime` false drops the time). */
export function shortDate(ms: number | null | undefined, withTime = true, now: number = Date.now()): string {
  if (!ms) return '—';
  const d = dayjs(ms);
  const sameYear = d.year() === dayjs(now).year();
  const date = d.format(sameYear ? 'MM-DD' : 'YYYY-MM-DD');
  return withTime ? `${date} ${d.format('HH:mm')}` : date;
}

/** Whole days from `ms` to now, by calendar day (0 today, 1 yesterday). */
export function daysAgo(ms: number, now: number = Date.now()): number {
  return dayjs(now).startOf('day').diff(dayjs(ms).startOf('day'), 'day');
}

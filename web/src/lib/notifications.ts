// Notifications (通知): the unread count the bell shows, each notification's message in the
// reader's language (written from its kind and data), and where it leads.
import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { api, unwrap, type Schemas } from '../api/client';
import { t } from '../i18n';

export type Notification = Schemas['NotificationView'];

/** The bell's badge: polled every minute and when the window regains focus. */
export function useUnreadCount(enabled = true) {
  return useQuery({
    queryKey: ['notifications', 'unread'],
    queryFn: () => unwrap(api.GET('/api/v1/me/notifications/unread-count')),
    enabled,
    refetchInterval: 60_000,
  });
}

type Data = Record<string, unknown>;
const str = (d: Data, k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
const num = (d: Data, k: string) => (typeof d[k] === 'number' ? (d[k] as number) : 0);
const day = (ms: number) => (ms ? dayjs(ms).format('YYYY-MM-DD') : '');

/** The message of a notification. */
export function notificationText(n: Notification): string {
  const d = (n.data ?? {}) as Data;
  switch (n.kind) {
    case 'followup_due':
      return t('notifications.followupDue', { name: str(d, 'customerName'), time: dayjs(num(d, 'dueAt')).format('MM-DD HH:mm') });
    case 'reclaim_warning':
      return t('notifications.reclaimWarning', { name: str(d, 'customerName'), pool: str(d, 'poolName'), date: day(num(d, 'dueAt')) });
    case 'forgotten':
      return t('notifications.forgotten', { count: String(num(d, 'count')) });
    case 'customers_received': {
      const change = t(`notifications.change.${str(d, 'change') || 'transferred'}`);
      const count = num(d, 'count');
      return count > 1
        ? t('notifications.receivedMany', { by: str(d, 'byName'), change, name: str(d, 'customerName'), count: String(count) })
        : t('notifications.receivedOne', { by: str(d, 'byName'), change, name: str(d, 'customerName') });
    }
    default:
      return n.kind;
  }
}

/** Where opening a notification leads. */
export function notificationLink(n: Notification): string {
  if (n.entityType === 'customer' && n.entityId) return `/customers/${n.entityId}`;
  if (n.kind === 'forgotten') return '/customers?forgotten=true';
  return '/customers';
}

import { describe, expect, it } from 'vitest';
import { notificationLink, notificationText, type Notification } from './notifications';

const note = (kind: string, data: Record<string, unknown>, entityId: string | null = null): Notification => ({
  id: '1',
  kind,
  entityType: entityId ? 'customer' : null,
  entityId,
  data,
  createdAt: 0,
  readAt: null,
});

describe('notifications', () => {
  it('writes each kind from its data', () => {
    expect(notificationText(note('forgotten', { count: 12 }))).toBe('您有 12 位客户超过遗忘提醒天数未跟进');
    expect(notificationText(note('reclaim_warning', { customerName: '华远机械', poolName: '华东公海', dueAt: Date.UTC(2026, 0, 5, 4) }))).toBe('华远机械 将于 2026-01-05 被回收到华东公海，请及时跟进');
    expect(notificationText(note('customers_received', { count: 3, customerName: '华远机械', byName: '王经理', change: 'handed_over' }))).toBe('王经理 把 华远机械 等 3 位客户交接给了您');
    expect(notificationText(note('customers_received', { count: 1, customerName: '华远机械', byName: '王经理', change: 'assigned' }))).toBe('王经理 把 华远机械 分配给了您');
    expect(notificationText(note('something_new', {}))).toBe('something_new');
  });

  it('leads to the record, or to the list it speaks of', () => {
    expect(notificationLink(note('followup_due', {}, 'c1'))).toBe('/customers/c1');
    expect(notificationLink(note('forgotten', { count: 2 }))).toBe('/customers?forgotten=true');
    expect(notificationLink(note('customers_received', { count: 2 }))).toBe('/customers');
  });
});

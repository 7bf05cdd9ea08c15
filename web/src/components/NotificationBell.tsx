// The bell in the header: the unread count, and the latest notifications in a panel (a
// drawer over the whole width on a phone). Opening one marks it read and goes to what it is
// about.
import { useState } from 'react';
import { Badge, Button, Drawer, Empty, List, Popover, Space, Switch, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import dayjs from 'dayjs';
import { api, unwrap } from '../api/client';
import { t } from '../i18n';
import { reportError } from '../lib/errors';
import { notificationLink, notificationText, useUnreadCount, type Notification } from '../lib/notifications';
import { useIsPhone } from '../lib/layout';

export function NotificationBell() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const unread = useUnreadCount();
  const phone = useIsPhone();
  const list = useQuery({
    queryKey: ['notifications', 'list', unreadOnly],
    queryFn: () => unwrap(api.GET('/api/v1/me/notifications', { params: { query: { unread: unreadOnly || undefined, pageSize: 20 } } })),
    enabled: open,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['notifications'] });

  const openOne = async (n: Notification) => {
    try {
      if (!n.readAt) await unwrap(api.POST('/api/v1/me/notifications/{id}/read', { params: { path: { id: n.id } } }));
    } catch (e) {
      reportError(e);
    }
    refresh();
    setOpen(false);
    navigate(notificationLink(n));
  };
  const readAll = async () => {
    try {
      await unwrap(api.POST('/api/v1/me/notifications/read-all'));
      refresh();
    } catch (e) {
      reportError(e);
    }
  };

  const panel = (
    <div style={{ width: phone ? '100%' : 360 }} data-testid="notifications">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }}>
        <Space size={4}>
          <Switch size="small" checked={unreadOnly} onChange={setUnreadOnly} />
          <Typography.Text type="secondary">{t('notifications.unreadOnly')}</Typography.Text>
        </Space>
        <Button size="small" type="link" onClick={readAll} disabled={!unread.data?.unread} data-testid="notifications-read-all">
          {t('notifications.readAll')}
        </Button>
      </Space>
      <List<Notification>
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        style={phone ? undefined : { maxHeight: 420, overflowY: 'auto' }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} /> }}
        renderItem={(n) => (
          <List.Item onClick={() => openOne(n)} style={{ cursor: 'pointer' }} data-testid="notification">
            <List.Item.Meta
              avatar={<Badge dot={!n.readAt} />}
              title={<Typography.Text strong={!n.readAt}>{notificationText(n)}</Typography.Text>}
              description={dayjs(n.createdAt).format('YYYY-MM-DD HH:mm')}
            />
          </List.Item>
        )}
      />
    </div>
  );

  const bell = (
    <Button type="text" aria-label={t('notifications.title')} data-testid="notifications-bell" onClick={phone ? () => setOpen(true) : undefined}>
      <Badge count={unread.data?.unread ?? 0} size="small" overflowCount={99}>
        <BellOutlined style={{ fontSize: 16 }} />
      </Badge>
    </Button>
  );
  if (phone) {
    return (
      <>
        {bell}
        <Drawer title={t('notifications.title')} placement="right" width="100%" open={open} onClose={() => setOpen(false)} styles={{ body: { padding: 12 } }}>
          {panel}
        </Drawer>
      </>
    );
  }
  return (
    <Popover content={panel} title={t('notifications.title')} trigger="click" open={open} onOpenChange={setOpen} placement="bottomRight">
      {bell}
    </Popover>
  );
}

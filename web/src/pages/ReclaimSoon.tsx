// 即将回收: all my customers a pool's rules will take back soon (the home card shows ten),
// the soonest first, with why (no follow-up, no deal) and when.
import { Card, List, Space, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { t, useLocale } from '../i18n';
import { LEVEL_COLOURS, optionLabel, useCustomerOptions } from '../lib/customers';
import { shortDate } from '../lib/dates';

export default function ReclaimSoon() {
  useLocale();
  const options = useCustomerOptions();
  const items = useQuery({ queryKey: ['reclaim-warnings'], queryFn: () => unwrap(api.GET('/api/v1/me/reclaim-warnings')) });
  const now = Date.now();
  return (
    <Card title={<span data-testid="page-title">{`${t('home.reclaimTitle')}（${items.data?.length ?? '…'}）`}</span>} data-testid="reclaim-soon">
      <Typography.Paragraph type="secondary">{t('reclaim.hint')}</Typography.Paragraph>
      <List
        loading={items.isLoading}
        dataSource={items.data ?? []}
        pagination={(items.data?.length ?? 0) > 20 ? { pageSize: 20, size: 'small' } : false}
        renderItem={(c) => (
          <List.Item data-testid="reclaim-item">
            <List.Item.Meta
              title={
                <Link to={`/customers/${c.customerId}`} style={{ overflowWrap: 'anywhere' }}>
                  {c.name}
                </Link>
              }
              description={
                <Space wrap size={[8, 4]}>
                  {c.levelCode && <Tag color={LEVEL_COLOURS[c.levelCode] ?? 'default'}>{optionLabel(options.data, 'level', c.levelCode)}</Tag>}
                  <span>{t(`pools.reclaimReason.${c.reason}`)}</span>
                  <span>
                    {t('customers.lastFollowup')}: {shortDate(c.lastFollowupAt, false)}
                  </span>
                  <span>{c.poolName}</span>
                </Space>
              }
            />
            <Typography.Text type="warning" style={{ whiteSpace: 'nowrap' }}>
              {c.dueAt <= now ? t('home.reclaimTonight') : shortDate(c.dueAt, false)}
            </Typography.Text>
          </List.Item>
        )}
      />
    </Card>
  );
}

// The home page: who I am and where I sit, real counts of what my role lets me see, and an
// honest empty state for the features still to come. No invented numbers.
import { Card, Col, Descriptions, Empty, List, Row, Statistic, Typography } from 'antd';
import dayjs from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, visibleMenu, type Me } from '../lib/permissions';

export default function Home({ me }: { me: Me }) {
  useLocale();
  const self = useQuery({ queryKey: ['user', me.id], queryFn: () => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id: me.id } } })), enabled: can(me, 'people.view') });
  const people = useQuery({ queryKey: ['users', 'count'], queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { pageSize: 1, active: true } } })), enabled: can(me, 'people.view') });
  const units = useQuery({ queryKey: ['units'], queryFn: () => unwrap(api.GET('/api/v1/org/units')), enabled: can(me, 'org.view') });
  const scope = me.scopes.find((s) => s.module === 'people')?.scope ?? 'own';
  const customers = can(me, 'customers.view');
  const myCustomers = useQuery({ queryKey: ['customers', 'count'], queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query: { pageSize: 1 } } })), enabled: customers });
  const due = useQuery({ queryKey: ['customers', 'due'], queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query: { due: true, sort: 'nextFollowupAt', order: 'asc', pageSize: 8 } } })), enabled: customers });
  const reclaim = useQuery({ queryKey: ['reclaim-warnings'], queryFn: () => unwrap(api.GET('/api/v1/me/reclaim-warnings')), enabled: customers });
  const idle = useQuery({ queryKey: ['customers', 'idle'], queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query: { forgotten: true, pageSize: 8 } } })), enabled: customers });
  return (
    <div>
      <Typography.Title level={3} data-testid="home-greeting">
        {t('home.greeting', { name: me.displayName })}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('home.unit')}>{self.data?.unitName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('home.position')}>{self.data?.positionName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('home.manager')}>{self.data?.managerName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('home.scope')}>{t(`scope.${scope}`)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          {can(me, 'people.view') && (
            <Card>
              <Statistic title={t('home.teamSize')} value={people.data?.total ?? '—'} />
            </Card>
          )}
        </Col>
        <Col xs={12} lg={6}>
          {can(me, 'org.view') && (
            <Card>
              <Statistic title={t('home.orgUnits')} value={units.data?.length ?? '—'} />
            </Card>
          )}
        </Col>
        {customers && (
          <>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic title={t('home.myCustomers')} value={myCustomers.data?.total ?? '—'} />
              </Card>
            </Col>
            <Col xs={24} lg={9}>
              <Card title={`${t('home.dueTitle')}（${due.data?.total ?? 0}）`} data-testid="home-due">
                <List size="small" dataSource={due.data?.items ?? []} locale={{ emptyText: '—' }} renderItem={(c) => (
                  <List.Item>
                    <Link to={`/customers/${c.id}`}>{c.name}</Link>
                    <Typography.Text type="danger">{c.nextFollowupAt ? dayjs(c.nextFollowupAt).format('MM-DD HH:mm') : ''}</Typography.Text>
                  </List.Item>
                )} />
              </Card>
            </Col>
            {(reclaim.data?.length ?? 0) > 0 && (
              <Col xs={24} lg={12}>
                <Card title={`${t('home.reclaimTitle')}（${reclaim.data?.length ?? 0}）`} data-testid="home-reclaim">
                  <List size="small" dataSource={reclaim.data ?? []} renderItem={(c) => (
                    <List.Item>
                      <Link to={`/customers/${c.customerId}`}>{c.name}</Link>
                      <Typography.Text type="warning">{dayjs(c.dueAt).format('MM-DD')} · {c.poolName}</Typography.Text>
                    </List.Item>
                  )} />
                </Card>
              </Col>
            )}
            <Col xs={24} lg={9}>
              <Card title={`${t('home.idleTitle')}（${idle.data?.total ?? 0}）`}>
                <List size="small" dataSource={idle.data?.items ?? []} locale={{ emptyText: '—' }} renderItem={(c) => (
                  <List.Item>
                    <Link to={`/customers/${c.id}`}>{c.name}</Link>
                    <Typography.Text type="secondary">{c.lastFollowupAt ? dayjs(c.lastFollowupAt).format('YYYY-MM-DD') : '—'}</Typography.Text>
                  </List.Item>
                )} />
              </Card>
            </Col>
          </>
        )}
        <Col xs={24} lg={12}>
          <Card title={t('home.shortcuts')}>
            {visibleMenu(me)
              .filter((m) => m.path !== '/')
              .map((m) => (
                <Link key={m.path} to={m.path} style={{ marginRight: 16, display: 'inline-block', marginBottom: 8 }}>
                  {t(m.key)}
                </Link>
              ))}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('home.comingTitle')}>
            <Empty description={t('home.comingBody')} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

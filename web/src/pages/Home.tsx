// The home page: who I am and where I sit, then what to act on today in my scope: customers
// due today, those overdue (apart), those a pool will take back soon and those forgotten;
// ten of each at most, each card linking to the list whose count it shows.
import type { ReactNode } from 'react';
import { Card, Col, Descriptions, Empty, List, Row, Statistic, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { t, useLocale } from '../i18n';
import { can, visibleMenu, type Me } from '../lib/permissions';
import { daysAgo, shortDate } from '../lib/dates';
import { countText } from '../lib/customers';

/** Items a home card lists; the rest are behind its link. */
const CARD_ITEMS = 10;

function ListCard<T>({ title, total, exact = true, items, link, testId, render }: { title: string; total: number | undefined; exact?: boolean; items: T[]; link: string; testId: string; render: (item: T) => ReactNode }) {
  return (
    <Card
      title={`${title}（${countText(total, exact)}）`}
      data-testid={testId}
      extra={
        total ? (
          <Link to={link} data-testid={`${testId}-all`}>
            {t('home.viewAll', { n: countText(total, exact) })}
          </Link>
        ) : undefined
      }
      styles={{ body: { paddingTop: 8, paddingBottom: 8 } }}
    >
      <List<T> size="small" dataSource={items.slice(0, CARD_ITEMS)} locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.nothing')} /> }} renderItem={(item) => <List.Item style={{ gap: 8 }}>{render(item)}</List.Item>} />
    </Card>
  );
}

type ListQuery = NonNullable<paths['/api/v1/customers']['get']['parameters']['query']>;

/** One card's customers: the first page of the list with these filters. */
function useCustomerList(key: string, query: ListQuery, enabled: boolean) {
  return useQuery({ queryKey: ['customers', 'home', key], queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query: { pageSize: CARD_ITEMS, ...query } } })), enabled });
}

/** The customer's name, allowed to wrap but never pushed out by the date beside it. */
const nameLink = (id: string, name: string) => (
  <Link to={`/customers/${id}`} style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
    {name}
  </Link>
);

export default function Home({ me }: { me: Me }) {
  useLocale();
  const self = useQuery({ queryKey: ['user', me.id], queryFn: () => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id: me.id } } })), enabled: can(me, 'people.view') });
  const people = useQuery({ queryKey: ['users', 'count'], queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { pageSize: 1, active: true } } })), enabled: can(me, 'people.view') });
  const units = useQuery({ queryKey: ['units'], queryFn: () => unwrap(api.GET('/api/v1/org/units')), enabled: can(me, 'org.view') });
  const scope = me.scopes.find((s) => s.module === 'people')?.scope ?? 'own';
  const customers = can(me, 'customers.view');
  const mine = useCustomerList('all', { pageSize: 1 }, customers);
  const today = useCustomerList('today', { due: 'today', sort: 'nextFollowupAt', order: 'asc' }, customers);
  const overdue = useCustomerList('overdue', { due: 'overdue', sort: 'nextFollowupAt', order: 'asc' }, customers);
  const forgotten = useCustomerList('forgotten', { forgotten: true, sort: 'lastFollowupAt', order: 'asc' }, customers);
  const reclaim = useQuery({ queryKey: ['reclaim-warnings'], queryFn: () => unwrap(api.GET('/api/v1/me/reclaim-warnings')), enabled: customers });
  // The units I belong to and those under them, not the whole company.
  const myUnit = units.data?.find((u) => u.id === me.unitId);
  const myUnits = myUnit ? units.data?.filter((u) => u.path.startsWith(myUnit.path)).length : undefined;
  const now = Date.now();
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
        {customers && (
          <Col xs={12} lg={4}>
            <Card>
              <Link to="/customers">
                <Statistic title={t('home.myCustomers')} value={mine.data ? countText(mine.data.total, mine.data.totalExact) : '—'} />
              </Link>
            </Card>
          </Col>
        )}
        {can(me, 'people.view') && (
          <Col xs={12} lg={4}>
            <Card>
              <Statistic title={t('home.teamSize')} value={people.data?.total ?? '—'} />
            </Card>
          </Col>
        )}
        {can(me, 'org.view') && (
          <Col xs={12} lg={4}>
            <Card>
              <Statistic title={t('home.orgUnits')} value={myUnits ?? '—'} data-testid="home-units" />
            </Card>
          </Col>
        )}
        {customers && (
          <>
            <Col xs={24} lg={12}>
              <ListCard
                title={t('home.todayTitle')}
                testId="home-today"
                total={today.data?.total}
                exact={today.data?.totalExact}
                items={today.data?.items ?? []}
                link="/customers?due=today&sort=nextFollowupAt&order=asc"
                render={(c) => (
                  <>
                    {nameLink(c.id, c.name)}
                    <Typography.Text type={c.nextFollowupAt && c.nextFollowupAt < now ? 'warning' : undefined} style={{ whiteSpace: 'nowrap' }}>
                      {c.nextFollowupAt ? shortDate(c.nextFollowupAt).split(' ')[1] : ''}
                    </Typography.Text>
                  </>
                )}
              />
            </Col>
            <Col xs={24} lg={12}>
              <ListCard
                title={t('home.overdueTitle')}
                testId="home-overdue"
                total={overdue.data?.total}
                exact={overdue.data?.totalExact}
                items={overdue.data?.items ?? []}
                link="/customers?due=overdue&sort=nextFollowupAt&order=asc"
                render={(c) => (
                  <>
                    {nameLink(c.id, c.name)}
                    <Typography.Text type="danger" style={{ whiteSpace: 'nowrap' }}>
                      {c.nextFollowupAt ? `${shortDate(c.nextFollowupAt, false)} · ${t('home.daysLate', { n: daysAgo(c.nextFollowupAt) })}` : ''}
                    </Typography.Text>
                  </>
                )}
              />
            </Col>
            <Col xs={24} lg={12}>
              <ListCard
                title={t('home.reclaimTitle')}
                testId="home-reclaim"
                total={reclaim.data?.length}
                items={reclaim.data ?? []}
                link="/customers/reclaim-soon"
                render={(c) => (
                  <>
                    {nameLink(c.customerId, c.name)}
                    <Typography.Text type="warning" style={{ whiteSpace: 'nowrap' }}>
                      {c.dueAt <= now ? t('home.reclaimTonight') : shortDate(c.dueAt, false)}
                    </Typography.Text>
                  </>
                )}
              />
            </Col>
            <Col xs={24} lg={12}>
              <ListCard
                title={t('home.idleTitle')}
                testId="home-forgotten"
                total={forgotten.data?.total}
                exact={forgotten.data?.totalExact}
                items={forgotten.data?.items ?? []}
                link="/customers?forgotten=true&sort=lastFollowupAt&order=asc"
                render={(c) => (
                  <>
                    {nameLink(c.id, c.name)}
                    <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                      {c.lastFollowupAt ? t('home.lastContact', { date: shortDate(c.lastFollowupAt, false), n: daysAgo(c.lastFollowupAt) }) : t('home.neverFollowed')}
                    </Typography.Text>
                  </>
                )}
              />
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

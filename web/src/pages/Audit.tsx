// 审计日志: who did what to which record, when and from where; newest first; read-only.
// Actions, people and records read by their names; filters by action, person, kind of
// record (or one record, from a link) and time.
import { useState } from 'react';
import { ProTable, type ProColumns } from '@ant-design/pro-components';
import { DatePicker, Empty, Space, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import dayjs, { type Dayjs } from 'dayjs';
import { api, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { useIsPhone } from '../lib/layout';
import { UserPicker } from './Customers';

type Row = Schemas['AuditView'];

const pretty = (json?: string | null) => {
  if (!json) return '—';
  try {
    return JSON.stringify(JSON.parse(json), null, 1);
  } catch {
    return json;
  }
};

/** Where a record of the log can be opened, by its kind. */
export function auditLink(r: Pick<Row, 'entityType' | 'entityId'>): string | null {
  switch (r.entityType) {
    case 'customer':
      return `/customers/${r.entityId}`;
    case 'user':
      return `/people?user=${r.entityId}`;
    case 'org_unit':
      return '/org';
    case 'role':
      return '/roles';
    case 'pool':
      return '/pools';
    case 'custom_field':
      return '/settings/customers';
    case 'territory_scenario':
      return '/territory';
    default:
      return null;
  }
}

const ENTITY_TYPES = ['customer', 'user', 'session', 'org_unit', 'position', 'role', 'pool', 'custom_field', 'saved_view', 'territory_scenario', 'import', 'api_token'];

export default function Audit({ me }: { me: Me }) {
  useLocale();
  const phone = useIsPhone();
  const [params] = useSearchParams();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const actions = useQuery({ queryKey: ['audit-actions'], queryFn: () => unwrap(api.GET('/api/v1/audit/actions')), enabled: can(me, 'audit.view') });
  if (!can(me, 'audit.view')) return <Empty description={t('empty.noPermission')} />;
  const entityId = params.get('entityId') ?? undefined;
  const record = (r: Row) => {
    const link = auditLink(r);
    const name = r.entityName ?? (r.entityType === 'login' ? t('audit.unknownLogin') : r.entityId);
    return (
      <Space size={4} wrap>
        <Tag>{r.entityLabel}</Tag>
        {link && r.entityName ? <Link to={link}>{name}</Link> : <span style={{ overflowWrap: 'anywhere' }}>{name}</span>}
      </Space>
    );
  };
  const columns: ProColumns<Row>[] = [
    { title: t('audit.at'), dataIndex: 'at', search: false, render: (_, r) => dayjs(r.at).format('YYYY-MM-DD HH:mm:ss'), width: 170 },
    { title: t('audit.actor'), dataIndex: 'actorId', renderFormItem: () => <UserPicker />, render: (_, r) => r.actorLabel },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      valueType: 'select',
      fieldProps: { showSearch: true, optionFilterProp: 'label', options: (actions.data ?? []).map((a) => ({ value: a.code, label: a.label })) },
      render: (_, r) => r.actionLabel,
    },
    {
      title: t('audit.entity'),
      dataIndex: 'entityType',
      valueType: 'select',
      initialValue: params.get('entityType') ?? undefined,
      fieldProps: { options: ENTITY_TYPES.map((e) => ({ value: e, label: t(`audit.entityType.${e}`) })) },
      render: (_, r) => record(r),
    },
    {
      title: t('audit.when'),
      dataIndex: 'range',
      hideInTable: true,
      renderFormItem: () => <DatePicker.RangePicker value={range} onChange={(v) => setRange(v)} style={{ width: '100%' }} />,
    },
    { title: t('audit.ip'), dataIndex: 'ip', search: false, responsive: ['lg'] },
    { title: t('audit.requestId'), dataIndex: 'requestId', search: false, responsive: ['xl'], render: (_, r) => <Typography.Text copyable={{ text: r.requestId }}>{r.requestId.slice(-8)}</Typography.Text> },
  ];
  // A phone reads each row as a card: when, who, what, on which record.
  const card: ProColumns<Row> = {
    title: t('audit.title'),
    dataIndex: 'card',
    search: false,
    render: (_, r) => (
      <div style={{ minWidth: 0 }}>
        <Typography.Text strong>{r.actionLabel}</Typography.Text> <Typography.Text type="secondary">{dayjs(r.at).format('YYYY-MM-DD HH:mm')}</Typography.Text>
        <div>{r.actorLabel}</div>
        {record(r)}
      </div>
    ),
  };
  return (
    <ProTable<Row>
      headerTitle={<span data-testid="page-title">{t('audit.title')}</span>}
      rowKey="id"
      columns={phone ? [card, ...columns.map((c) => ({ ...c, hideInTable: true }))] : columns}
      scroll={phone ? undefined : { x: 'max-content' }}
      search={{ labelWidth: 'auto' }}
      options={false}
      data-testid="audit"
      expandable={{
        expandedRowRender: (r) => (
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))', gap: 12 }}>
            <div>
              <Typography.Text strong>{t('audit.before')}</Typography.Text>
              <pre style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontSize: 12 }}>{pretty(r.before)}</pre>
            </div>
            <div>
              <Typography.Text strong>{t('audit.after')}</Typography.Text>
              <pre style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontSize: 12 }}>{pretty(r.after)}</pre>
            </div>
          </div>
        ),
      }}
      onReset={() => setRange(null)}
      request={async (p) => {
        const page = await unwrap(
          api.GET('/api/v1/audit', {
            params: {
              query: {
                action: p.action || undefined,
                entityType: p.entityType || undefined,
                entityId,
                actorId: p.actorId || undefined,
                from: range?.[0] ? range[0].startOf('day').valueOf() : undefined,
                to: range?.[1] ? range[1].add(1, 'day').startOf('day').valueOf() : undefined,
                page: p.current,
                pageSize: p.pageSize,
              },
            },
          }),
        );
        return { data: page.items, total: page.total, success: true };
      }}
    />
  );
}

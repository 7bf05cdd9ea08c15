// 审计日志: who changed what, when, from which request; newest first; read-only.
import { ProTable, type ProColumns } from '@ant-design/pro-components';
import { Empty, Typography } from 'antd';
import dayjs from 'dayjs';
import { api, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';

type Row = Schemas['AuditView'];

const pretty = (json?: string | null) => {
  if (!json) return '—';
  try {
    return JSON.stringify(JSON.parse(json), null, 1);
  } catch {
    return json;
  }
};

export default function Audit({ me }: { me: Me }) {
  useLocale();
  if (!can(me, 'audit.view')) return <Empty description={t('empty.noPermission')} />;
  const columns: ProColumns<Row>[] = [
    { title: t('audit.at'), dataIndex: 'at', search: false, render: (_, r) => dayjs(r.at).format('YYYY-MM-DD HH:mm:ss') },
    { title: t('audit.actor'), dataIndex: 'actorName', search: false },
    { title: t('audit.action'), dataIndex: 'action' },
    { title: t('audit.entity'), dataIndex: 'entityType', render: (_, r) => `${r.entityType} ${r.entityId.slice(0, 8)}` },
    { title: t('audit.requestId'), dataIndex: 'requestId', search: false, responsive: ['lg'], render: (_, r) => <Typography.Text copyable={{ text: r.requestId }}>{r.requestId.slice(0, 8)}</Typography.Text> },
  ];
  return (
    <ProTable<Row>
      headerTitle={t('audit.title')}
      rowKey="id"
      columns={columns}
      scroll={{ x: 'max-content' }}
      search={{ labelWidth: 'auto' }}
      options={false}
      expandable={{
        expandedRowRender: (r) => (
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))', gap: 12 }}>
            <div>
              <Typography.Text strong>{t('audit.before')}</Typography.Text>
              <pre style={{ whiteSpace: 'pre-wrap', fontSize: 12 }}>{pretty(r.before)}</pre>
            </div>
            <div>
              <Typography.Text strong>{t('audit.after')}</Typography.Text>
              <pre style={{ whiteSpace: 'pre-wrap', fontSize: 12 }}>{pretty(r.after)}</pre>
            </div>
          </div>
        ),
      }}
      request={async (params) => {
        const page = await unwrap(
          api.GET('/api/v1/audit', { params: { query: { action: params.action || undefined, entityType: params.entityType || undefined, page: params.current, pageSize: params.pageSize } } }),
        );
        return { data: page.items, total: page.total, success: true };
      }}
    />
  );
}

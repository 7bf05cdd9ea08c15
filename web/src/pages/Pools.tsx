// 公海: the pools I may use or manage. Members browse a pool (contacts hidden until they
// claim) and claim; managers set pools up and assign customers to reps.
import { useRef, useState } from 'react';
import { ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { App, Button, Card, Checkbox, Empty, Form, Input, InputNumber, Modal, Segmented, Select, Space, Spin, Table, Tag, TreeSelect, Typography } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { reportError } from '../lib/errors';
import { buildTree } from '../lib/tree';
import { LEVEL_COLOURS, optionLabel, selectOptions, useCustomerOptions } from '../lib/customers';
import { UserPicker, formatTime } from './Customers';
import { PageHeader } from '../components/PageHeader';
import { useIsPhone } from '../lib/layout';
import { shortDate } from '../lib/dates';

type Pool = Schemas['PoolView'];
type Customer = Schemas['CustomerView'];
type PoolForm = Omit<Schemas['PoolBody'], 'hideContacts' | 'active'> & { hideContacts?: boolean; active?: boolean };

export default function Pools({ me }: { me: Me }) {
  useLocale();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const table = useRef<ActionType>(null);
  const options = useCustomerOptions();
  const pools = useQuery({ queryKey: ['pools'], queryFn: () => unwrap(api.GET('/api/v1/pools')) });
  const units = useQuery({ queryKey: ['units'], queryFn: () => unwrap(api.GET('/api/v1/org/units')), enabled: can(me, 'pools.manage') && can(me, 'org.view') });
  const [chosen, setChosen] = useState<string>();
  const [editing, setEditing] = useState<Pool | 'new' | null>(null);
  const [assigning, setAssigning] = useState<Customer | null>(null);
  const [reclaim, setReclaim] = useState<Schemas['ReclaimReportView'] | null>(null);
  const reclaimAll = can(me, 'pools.manage') && me.scopes.some((x) => x.module === 'customers' && x.scope === 'all');
  const phone = useIsPhone();

  const previewReclaim = async () => {
    try {
      setReclaim(await unwrap(api.GET('/api/v1/pools/reclaim-preview')));
    } catch (e) {
      reportError(e);
    }
  };

  const [reclaiming, setReclaiming] = useState(false);
  const runReclaim = async () => {
    setReclaiming(true);
    try {
      // The run goes on in the background; follow it until it ends.
      let r = await unwrap(api.POST('/api/v1/pools/reclaim'));
      while (r.finishedAt == null && !r.failed) {
        await new Promise((done) => setTimeout(done, 1000));
        r = await unwrap(api.GET('/api/v1/pools/reclaim-runs/{key}', { params: { path: { key: r.runKey } } }));
      }
      if (r.failed) throw new Error(t('error.generic'));
      message.success(t('pools.reclaimDone', { n: r.reclaimed ?? 0 }));
      setReclaim(null);
      qc.invalidateQueries({ queryKey: ['pools'] });
      table.current?.reload();
    } catch (e) {
      reportError(e);
    } finally {
      setReclaiming(false);
    }
  };
  const [poolForm] = Form.useForm<PoolForm>();
  const [assignForm] = Form.useForm<{ toUserId: string }>();
  const pool = pools.data?.find((p) => p.id === chosen) ?? pools.data?.[0];

  if (pools.isLoading) return <Spin />;

  const claim = async (c: Customer) => {
    if (!pool) return;
    try {
      await unwrap(api.POST('/api/v1/pools/{id}/customers/{customer_id}/claim', { params: { path: { id: pool.id, customer_id: c.id } } }));
      message.success(t('pools.claimed'));
      qc.invalidateQueries({ queryKey: ['pools'] });
      table.current?.reload();
    } catch (e) {
      reportError(e);
      table.current?.reload();
    }
  };

  const assign = async () => {
    const v = await assignForm.validateFields();
    if (!pool || !assigning) return;
    try {
      await unwrap(api.POST('/api/v1/pools/{id}/customers/{customer_id}/assign', { params: { path: { id: pool.id, customer_id: assigning.id } }, body: v }));
      message.success(t('common.saved'));
      setAssigning(null);
      table.current?.reload();
    } catch (e) {
      reportError(e, assignForm);
    }
  };

  const savePool = async () => {
    const v = await poolForm.validateFields();
    const body: Schemas['PoolBody'] = { ...v, hideContacts: v.hideContacts ?? true, active: v.active ?? true };
    try {
      if (editing === 'new') await unwrap(api.POST('/api/v1/pools', { body }));
      else if (editing) await unwrap(api.PUT('/api/v1/pools/{id}', { params: { path: { id: editing.id }, header: ifMatch(editing.version) }, body }));
      message.success(t('common.saved'));
      setEditing(null);
      qc.invalidateQueries({ queryKey: ['pools'] });
    } catch (e) {
      reportError(e, poolForm);
    }
  };

  const openPool = (p: Pool | 'new') => {
    poolForm.resetFields();
    if (p === 'new') poolForm.setFieldsValue({ hideContacts: true, active: true, cooldownDays: 0 });
    else poolForm.setFieldsValue({ ...p, noFollowupDays: p.noFollowupDays ?? undefined, noDealDays: p.noDealDays ?? undefined, remindDays: p.remindDays ?? undefined, dailyClaimLimit: p.dailyClaimLimit ?? undefined });
    setEditing(p);
  };

  const columns: ProColumns<Customer>[] = [
    { title: t('common.search'), dataIndex: 'q', hideInTable: true, fieldProps: { placeholder: t('customers.search'), maxLength: 60 } },
    { title: t('customers.name'), dataIndex: 'name', search: false, render: (_, c) => <span data-testid="pool-customer">{c.name}</span> },
    {
      title: t('customers.level'),
      dataIndex: 'levelCode',
      valueType: 'select',
      fieldProps: { options: selectOptions(options.data, 'level') },
      render: (_, c) => (c.levelCode ? <Tag color={LEVEL_COLOURS[c.levelCode] ?? 'default'}>{optionLabel(options.data, 'level', c.levelCode)}</Tag> : '—'),
    },
    { title: t('customers.industry'), dataIndex: 'industryCode', valueType: 'select', fieldProps: { options: selectOptions(options.data, 'industry') }, render: (_, c) => optionLabel(options.data, 'industry', c.industryCode) || '—', responsive: ['md'] },
    { title: t('customers.city'), dataIndex: 'city', search: false, responsive: ['md'] },
    {
      title: t('customers.primaryContact'),
      dataIndex: 'primaryContact',
      search: false,
      responsive: ['lg'],
      render: (_, c) => (c.primaryContact ? `${c.primaryContact} ${c.primaryMobile ?? ''}` : <Typography.Text type="secondary">{pool?.hideContacts ? t('pools.hidden') : '—'}</Typography.Text>),
    },
    { title: t('customers.lastFollowup'), dataIndex: 'lastFollowupAt', search: false, render: (_, c) => formatTime(c.lastFollowupAt), responsive: ['lg'] },
    { title: t('common.actions'), valueType: 'option', render: (_, c) => actionsOf(c) },
  ];

  const actionsOf = (c: Customer) => [
    pool?.isMember && (
      <a key="claim" data-testid="pool-claim" onClick={() => modal.confirm({ title: `${t('pools.claim')}「${c.name}」？`, onOk: () => claim(c) })}>
        {t('pools.claim')}
      </a>
    ),
    pool?.canManage && (
      <a key="assign" onClick={() => { assignForm.resetFields(); setAssigning(c); }}>
        {t('pools.assign')}
      </a>
    ),
  ];
  // A phone shows each customer as a card: name, level, where, last follow-up, and the actions.
  const card: ProColumns<Customer> = {
    title: t('customers.name'),
    dataIndex: 'card',
    search: false,
    render: (_, c) => (
      <div style={{ minWidth: 0 }}>
        <Space size={6} wrap>
          <span data-testid="pool-customer" style={{ fontWeight: 500, overflowWrap: 'anywhere' }}>
            {c.name}
          </span>
          {c.levelCode && <Tag color={LEVEL_COLOURS[c.levelCode] ?? 'default'}>{optionLabel(options.data, 'level', c.levelCode)}</Tag>}
        </Space>
        <div>
          <Typography.Text type="secondary">
            {[optionLabel(options.data, 'industry', c.industryCode), c.city, `${t('customers.lastFollowup')} ${shortDate(c.lastFollowupAt, false)}`].filter(Boolean).join(' · ')}
          </Typography.Text>
        </div>
        <Space size={16}>{actionsOf(c)}</Space>
      </div>
    ),
  };
  const shown = phone ? [card, ...columns.map((c) => ({ ...c, hideInTable: true }))] : columns;

  return (
    <>
      <PageHeader
        title={t('pools.title')}
        actions={
          <>
            {reclaimAll && <Button onClick={previewReclaim} data-testid="reclaim-preview">{t('pools.reclaimPreview')}</Button>}
            {can(me, 'pools.manage') && <Button onClick={() => openPool('new')}>{t('pools.add')}</Button>}
          </>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        {(pools.data?.length ?? 0) === 0 ? (
          <Empty description={t('pools.empty')} />
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            {/* Several pools side by side are wider than a phone: a list to pick from there. */}
            {phone ? (
              <Select
                data-testid="pool-switch"
                style={{ width: '100%' }}
                value={pool?.id}
                onChange={(v) => setChosen(String(v))}
                options={(pools.data ?? []).map((p) => ({ value: p.id, label: `${p.name}（${p.customerCount}）` }))}
              />
            ) : (
              <Segmented
                data-testid="pool-switch"
                value={pool?.id}
                onChange={(v) => setChosen(String(v))}
                options={(pools.data ?? []).map((p) => ({ value: p.id, label: `${p.name}（${p.customerCount}）` }))}
              />
            )}
            {pool && (
              <Typography.Text type="secondary">
                {[
                  pool.noFollowupDays && `${t('pools.noFollowupDays')}: ${pool.noFollowupDays}`,
                  pool.dailyClaimLimit && `${t('pools.dailyClaimLimit')}: ${pool.dailyClaimLimit}`,
                  pool.cooldownDays > 0 && `${t('pools.cooldownDays')}: ${pool.cooldownDays}`,
                ]
                  .filter(Boolean)
                  .join(' · ')}
                {pool.canManage && (
                  <a style={{ marginLeft: 12 }} onClick={() => openPool(pool)}>
                    {t('pools.rules')}
                  </a>
                )}
              </Typography.Text>
            )}
          </Space>
        )}
      </Card>
      {pool && (
        <ProTable<Customer>
          key={pool.id}
          actionRef={table}
          rowKey="id"
          columns={shown}
          scroll={phone ? undefined : { x: 'max-content' }}
          search={{ labelWidth: 'auto' }}
          pagination={{ defaultPageSize: 20, showSizeChanger: !phone }}
          options={phone ? { density: false, setting: false, reload: true, fullScreen: false } : { density: true, setting: true, reload: true, fullScreen: false }}
          request={async (params) => {
            const page = await unwrap(
              api.GET('/api/v1/pools/{id}/customers', {
                params: { path: { id: pool.id }, query: { q: params.q || undefined, levelCode: params.levelCode || undefined, industryCode: params.industryCode || undefined, page: params.current, pageSize: params.pageSize } },
              }),
            );
            return { data: page.items, total: page.total, success: true };
          }}
        />
      )}
      <Modal title={editing === 'new' ? t('pools.add') : t('pools.rules')} open={editing !== null} onOk={savePool} onCancel={() => setEditing(null)} destroyOnHidden>
        <Form form={poolForm} name="pool-form" layout="vertical">
          <Form.Item name="name" label={t('pools.name')} rules={[{ required: true, max: 40 }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="unitId" label={t('pools.unit')} rules={[{ required: true }]}>
            <TreeSelect treeData={buildTree(units.data ?? [])} treeDefaultExpandAll />
          </Form.Item>
          <Space wrap>
            <Form.Item name="noFollowupDays" label={t('pools.noFollowupDays')}>
              <InputNumber min={1} max={3650} />
            </Form.Item>
            <Form.Item name="noDealDays" label={t('pools.noDealDays')}>
              <InputNumber min={1} max={3650} />
            </Form.Item>
            <Form.Item name="remindDays" label={t('pools.remindDays')}>
              <InputNumber min={1} max={3650} />
            </Form.Item>
            <Form.Item name="cooldownDays" label={t('pools.cooldownDays')}>
              <InputNumber min={0} max={3650} />
            </Form.Item>
            <Form.Item name="dailyClaimLimit" label={t('pools.dailyClaimLimit')}>
              <InputNumber min={1} max={10000} />
            </Form.Item>
          </Space>
          <Typography.Text strong>{t('pools.levelRules')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            {t('pools.levelRulesHint')}
          </Typography.Paragraph>
          <Form.List name="levelRules">
            {(fields, { add, remove }) => (
              <div data-testid="level-rules">
                {fields.map((f) => (
                  <Space key={f.key} wrap align="baseline">
                    <Form.Item name={[f.name, 'levelCode']} rules={[{ required: true }]}>
                      <Select style={{ width: 110 }} placeholder={t('customers.level')} options={selectOptions(options.data, 'level')} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'noFollowupDays']}>
                      <InputNumber min={1} max={3650} placeholder={t('pools.noFollowupDays')} style={{ width: 150 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'noDealDays']}>
                      <InputNumber min={1} max={3650} placeholder={t('pools.noDealDays')} style={{ width: 150 }} />
                    </Form.Item>
                    <Button type="link" danger onClick={() => remove(f.name)}>
                      {t('common.delete')}
                    </Button>
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add()} block style={{ marginBottom: 12 }}>
                  {t('pools.addLevelRule')}
                </Button>
              </div>
            )}
          </Form.List>
          <Form.Item name="hideContacts" valuePropName="checked">
            <Checkbox>{t('pools.hideContacts')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        title={t('pools.reclaimPreview')}
        open={reclaim !== null}
        onCancel={() => setReclaim(null)}
        width={Math.min(900, window.innerWidth)}
        okText={t('pools.reclaimRun')}
        okButtonProps={{ disabled: (reclaim?.candidates.length ?? 0) === 0, danger: true }}
        confirmLoading={reclaiming}
        onOk={runReclaim}
      >
        <Table<Schemas['ReclaimItemView']>
          rowKey="customerId"
          size="small"
          scroll={{ x: 'max-content', y: 400 }}
          pagination={false}
          locale={{ emptyText: t('pools.reclaimNone') }}
          dataSource={reclaim?.candidates ?? []}
          columns={[
            { title: t('customers.name'), dataIndex: 'name' },
            { title: t('customers.owner'), dataIndex: 'ownerName' },
            { title: t('customers.pool'), dataIndex: 'poolName' },
            { title: t('customers.reason'), dataIndex: 'reason', render: (r: string) => t(`pools.reclaimReason.${r}`) },
            { title: t('customers.lastFollowup'), dataIndex: 'lastFollowupAt', render: (v: number | null) => formatTime(v) },
          ]}
        />
      </Modal>
      <Modal title={t('pools.assign')} open={assigning !== null} onOk={assign} onCancel={() => setAssigning(null)} destroyOnHidden>
        <Form form={assignForm} name="assign-form" layout="vertical">
          <Form.Item name="toUserId" label={t('pools.assignTo')} rules={[{ required: true }]}>
            <UserPicker />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

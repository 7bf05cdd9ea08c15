// 人员管理: everyone in my data scope. A list with search and filters, and for those who
// manage people: add, edit, reassign (history kept), roles, deactivate and reset password.
import { useEffect, useRef, useState } from 'react';
import { ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { App, Button, Drawer, Dropdown, Form, Input, Modal, Select, Space, Table, Tag, Timeline, TreeSelect, Typography } from 'antd';
import { useIsPhone } from '../lib/layout';
import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { buildTree } from '../lib/tree';
import { reportError } from '../lib/errors';

type User = Schemas['UserView'];
type Detail = Schemas['UserDetailView'];

interface PersonForm {
  username?: string;
  displayName: string;
  mobile?: string;
  email?: string;
  unitId: string;
  positionId?: string;
  managerId?: string;
  roleIds?: string[];
  password?: string;
}

export default function People({ me }: { me: Me }) {
  useLocale();
  const { modal, message } = App.useApp();
  const table = useRef<ActionType>(null);
  const [form] = Form.useForm<PersonForm>();
  const [mode, setMode] = useState<'create' | 'edit' | 'reassign' | 'roles' | null>(null);
  const [current, setCurrent] = useState<Detail>();
  const [shown, setShown] = useState<Detail>();
  const manage = can(me, 'people.manage');
  const phone = useIsPhone();
  const units = useQuery({ queryKey: ['units'], queryFn: () => unwrap(api.GET('/api/v1/org/units')), enabled: can(me, 'org.view') || manage });
  const positions = useQuery({ queryKey: ['positions'], queryFn: () => unwrap(api.GET('/api/v1/org/positions')) });
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => unwrap(api.GET('/api/v1/roles')), enabled: manage });
  const [managerSearch, setManagerSearch] = useState('');
  const managers = useQuery({
    queryKey: ['users', 'managers', managerSearch],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { q: managerSearch || undefined, active: true, pageSize: 20 } } })),
    enabled: mode !== null,
  });
  const unitTree = buildTree(units.data ?? []);
  const reload = () => table.current?.reload();
  const loadDetail = (id: string) => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id } } }));
  // A link to one person (from the audit log) opens them.
  const [params] = useSearchParams();
  const linked = params.get('user');
  useEffect(() => {
    if (linked) loadDetail(linked).then(setShown, () => undefined);
  }, [linked]);

  const open = async (m: 'create' | 'edit' | 'reassign' | 'roles', u?: User) => {
    form.resetFields();
    const d = u ? await loadDetail(u.id) : undefined;
    setCurrent(d);
    if (d) form.setFieldsValue({ displayName: d.displayName, mobile: d.mobile ?? undefined, email: d.email ?? undefined, unitId: d.unitId, positionId: d.positionId ?? undefined, managerId: d.managerId ?? undefined, roleIds: d.roleIds });
    setMode(m);
  };

  const showTemporary = (password: string) =>
    modal.info({
      title: t('people.tempPassword'),
      content: (
        <Typography.Text copyable code data-testid="temp-password">
          {password}
        </Typography.Text>
      ),
    });

  const save = async () => {
    const v = await form.validateFields();
    try {
      if (mode === 'create') {
        const r = await unwrap(api.POST('/api/v1/users', { body: { ...v, username: v.username ?? '', roleIds: v.roleIds?.length ? v.roleIds : undefined, password: v.password || undefined } }));
        if (r.temporaryPassword) showTemporary(r.temporaryPassword);
      } else if (current && mode === 'edit') {
        await unwrap(api.PUT('/api/v1/users/{id}', { params: { path: { id: current.id }, header: ifMatch(current.version) }, body: { displayName: v.displayName, mobile: v.mobile || null, email: v.email || null } }));
      } else if (current && mode === 'reassign') {
        await unwrap(api.POST('/api/v1/users/{id}/reassign', { params: { path: { id: current.id }, header: ifMatch(current.version) }, body: { unitId: v.unitId, positionId: v.positionId ?? null, managerId: v.managerId ?? null } }));
      } else if (current && mode === 'roles') {
        await unwrap(api.PUT('/api/v1/users/{id}/roles', { params: { path: { id: current.id } }, body: { roleIds: v.roleIds ?? [] } }));
      }
      message.success(t('common.saved'));
      setMode(null);
      reload();
    } catch (e) {
      reportError(e, form);
    }
  };

  const toggleActive = (u: User) =>
    modal.confirm({
      title: u.active ? t('people.deactivateConfirm', { name: u.displayName }) : t('people.reactivate'),
      okButtonProps: { danger: u.active },
      onOk: async () => {
        try {
          const path = u.active ? '/api/v1/users/{id}/deactivate' : '/api/v1/users/{id}/reactivate';
          await unwrap(api.POST(path, { params: { path: { id: u.id }, header: ifMatch(u.version) } }));
          reload();
        } catch (e) {
          reportError(e);
        }
      },
    });

  const resetPassword = (u: User) =>
    modal.confirm({
      title: t('people.resetConfirm', { name: u.displayName }),
      onOk: async () => {
        try {
          const r = await unwrap(api.POST('/api/v1/users/{id}/reset-password', { params: { path: { id: u.id } } }));
          showTemporary(r.temporaryPassword);
        } catch (e) {
          reportError(e);
        }
      },
    });

  const menuOf = (u: User) => [
    { key: 'edit', label: t('common.edit'), onClick: () => open('edit', u) },
    { key: 'reassign', label: t('people.reassign'), onClick: () => open('reassign', u) },
    { key: 'roles', label: t('people.setRoles'), onClick: () => open('roles', u) },
    { key: 'active', label: u.active ? t('people.deactivate') : t('people.reactivate'), onClick: () => toggleActive(u) },
    { key: 'reset', label: t('people.resetPassword'), onClick: () => resetPassword(u) },
  ];
  const actionsOf = (u: User) =>
    u.id === me.id
      ? []
      : menuOf(u).map((m) => (
          <a key={m.key} onClick={m.onClick}>
            {m.label}
          </a>
        ));

  const columns: ProColumns<User>[] = [
    { title: t('common.search'), dataIndex: 'q', hideInTable: true, fieldProps: { placeholder: t('people.search'), maxLength: 60 } },
    {
      title: t('people.name'),
      dataIndex: 'displayName',
      search: false,
      render: (_, u) => (
        <a onClick={async () => setShown(await loadDetail(u.id))} data-testid="person-name">
          {u.displayName}
        </a>
      ),
    },
    { title: t('people.username'), dataIndex: 'username', search: false, responsive: ['md'] },
    { title: t('people.mobile'), dataIndex: 'mobile', search: false, responsive: ['lg'] },
    {
      title: t('people.unit'),
      dataIndex: 'unitName',
      key: 'unitId',
      renderFormItem: () => <TreeSelect allowClear treeData={unitTree} treeDefaultExpandAll placeholder={t('common.all')} />,
      hideInSearch: unitTree.length === 0,
    },
    {
      title: t('people.position'),
      dataIndex: 'positionName',
      key: 'positionId',
      valueType: 'select',
      fieldProps: { options: (positions.data ?? []).map((p) => ({ value: p.id, label: p.name })) },
      responsive: ['md'],
    },
    { title: t('people.manager'), dataIndex: 'managerName', search: false, responsive: ['lg'] },
    {
      title: t('common.status'),
      dataIndex: 'active',
      valueType: 'select',
      fieldProps: { options: [{ value: 'true', label: t('common.active') }, { value: 'false', label: t('common.inactive') }] },
      render: (_, u) => (u.active ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>),
    },
    {
      title: t('common.actions'),
      valueType: 'option',
      hideInTable: !manage,
      render: (_, u) => actionsOf(u),
    },
  ];
  // On a phone each person is a card; the actions fold into one menu.
  const card: ProColumns<User> = {
    title: t('people.name'),
    dataIndex: 'card',
    search: false,
    render: (_, u) => (
      <div style={{ display: 'flex', gap: 8, justifyContent: 'space-between', alignItems: 'flex-start' }}>
        <div style={{ minWidth: 0 }}>
          <Space size={6} wrap>
            <a onClick={async () => setShown(await loadDetail(u.id))} data-testid="person-name">
              {u.displayName}
            </a>
            {u.active ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>}
          </Space>
          <div>
            <Typography.Text type="secondary">{[u.unitName, u.positionName, u.managerName && `${t('people.manager')} ${u.managerName}`].filter(Boolean).join(' · ')}</Typography.Text>
          </div>
        </div>
        {manage && u.id !== me.id && (
          <Dropdown trigger={['click']} menu={{ items: menuOf(u) }}>
            <Button size="small">{t('common.actions')}</Button>
          </Dropdown>
        )}
      </div>
    ),
  };

  const managerOptions = (managers.data?.items ?? []).filter((m) => m.id !== current?.id).map((m) => ({ value: m.id, label: `${m.displayName} · ${m.unitName}` }));
  if (current?.managerId && current.managerName && !managerOptions.some((o) => o.value === current.managerId)) managerOptions.push({ value: current.managerId, label: current.managerName });
  const titles = { create: t('people.add'), edit: t('common.edit'), reassign: t('people.reassign'), roles: t('people.setRoles') };

  return (
    <>
      <ProTable<User>
        headerTitle={<span data-testid="page-title">{t('people.title')}</span>}
        actionRef={table}
        rowKey="id"
        columns={phone ? [card, ...columns.map((c) => ({ ...c, hideInTable: true }))] : columns}
        scroll={phone ? undefined : { x: 'max-content' }}
        search={{ labelWidth: 'auto' }}
        pagination={{ defaultPageSize: 20, showSizeChanger: !phone }}
        options={phone ? { density: false, setting: false, reload: true, fullScreen: false } : { density: true, setting: true, reload: true, fullScreen: false }}
        request={async (params) => {
          const page = await unwrap(
            api.GET('/api/v1/users', {
              params: {
                query: {
                  q: params.q || undefined,
                  unitId: params.unitId || undefined,
                  positionId: params.positionId || undefined,
                  active: params.active === undefined ? undefined : params.active === 'true',
                  page: params.current,
                  pageSize: params.pageSize,
                },
              },
            }),
          );
          return { data: page.items, total: page.total, success: true };
        }}
        toolBarRender={() =>
          manage
            ? [
                <Button key="add" type="primary" onClick={() => open('create')} data-testid="people-add">
                  {t('people.add')}
                </Button>,
              ]
            : []
        }
      />
      <Modal open={mode !== null} title={mode ? titles[mode] : ''} onOk={save} onCancel={() => setMode(null)} destroyOnHidden width={560}>
        <Form form={form} name="person" layout="vertical" data-testid="person-form">
          {mode === 'create' && (
            <Form.Item name="username" label={t('people.username')} rules={[{ required: true, min: 3, max: 32 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          )}
          {(mode === 'create' || mode === 'edit') && (
            <>
              <Form.Item name="displayName" label={t('people.name')} rules={[{ required: true, max: 40 }]}>
                <Input />
              </Form.Item>
              <Form.Item name="mobile" label={t('people.mobile')}>
                <Input inputMode="tel" />
              </Form.Item>
              <Form.Item name="email" label={t('people.email')}>
                <Input inputMode="email" />
              </Form.Item>
            </>
          )}
          {(mode === 'create' || mode === 'reassign') && (
            <>
              <Form.Item name="unitId" label={t('people.unit')} rules={[{ required: true }]}>
                <TreeSelect treeData={unitTree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
              </Form.Item>
              <Form.Item name="positionId" label={t('people.position')}>
                <Select allowClear options={(positions.data ?? []).filter((p) => p.active).map((p) => ({ value: p.id, label: p.name }))} />
              </Form.Item>
              <Form.Item name="managerId" label={t('people.manager')}>
                <Select allowClear showSearch filterOption={false} onSearch={setManagerSearch} options={managerOptions} />
              </Form.Item>
            </>
          )}
          {(mode === 'create' || mode === 'roles') && manage && (
            <Form.Item name="roleIds" label={t('people.roles')} extra={mode === 'create' ? t('people.defaultRoleHint') : undefined}>
              <Select mode="multiple" allowClear options={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))} />
            </Form.Item>
          )}
          {mode === 'create' && (
            <Form.Item name="password" label={t('people.password')} extra={t('people.passwordHint')}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <Drawer open={!!shown} onClose={() => setShown(undefined)} title={shown?.displayName} width={Math.min(520, window.innerWidth)}>
        {shown && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Table
              size="small"
              pagination={false}
              showHeader={false}
              rowKey="k"
              dataSource={[
                { k: t('people.username'), v: shown.username },
                { k: t('people.mobile'), v: shown.mobile ?? '—' },
                { k: t('people.email'), v: shown.email ?? '—' },
                { k: t('people.unit'), v: shown.unitName },
                { k: t('people.position'), v: shown.positionName ?? '—' },
                { k: t('people.manager'), v: shown.managerName ?? '—' },
                { k: t('people.roles'), v: shown.roleIds.map((id) => roles.data?.find((r) => r.id === id)?.name ?? '').filter(Boolean).join('、') || '—' },
              ]}
              columns={[{ dataIndex: 'k', width: 110 }, { dataIndex: 'v' }]}
            />
            <Typography.Title level={5}>{t('people.history')}</Typography.Title>
            <Timeline
              items={[...shown.history].reverse().map((h) => ({
                children: `${dayjs(h.validFrom).format('YYYY-MM-DD')} ~ ${h.validTo ? dayjs(h.validTo).format('YYYY-MM-DD') : t('people.current')}：${h.unitName}${h.positionName ? ' · ' + h.positionName : ''}${h.managerName ? ' · ' + t('people.manager') + ' ' + h.managerName : ''}`,
              }))}
            />
          </Space>
        )}
      </Drawer>
    </>
  );
}

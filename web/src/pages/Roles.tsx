// 角色权限: roles as a table, and an editor that is a permission matrix (functions) plus a
// data scope per module. The server refuses grants beyond the editor's own.
import { useState } from 'react';
import { App, Button, Card, Checkbox, Empty, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { reportError } from '../lib/errors';
import { PageHeader } from '../components/PageHeader';

type Role = Schemas['RoleView'];

interface RoleForm {
  name: string;
  nameEn?: string;
  description?: string;
  permissions: Schemas['Permission'][];
  scopes: Partial<Record<Schemas['ScopeModule'], Schemas['DataScope']>>;
}

export default function Roles({ me }: { me: Me }) {
  useLocale();
  const qc = useQueryClient();
  const { modal, message } = App.useApp();
  const [form] = Form.useForm<RoleForm>();
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => unwrap(api.GET('/api/v1/roles')), enabled: can(me, 'roles.view') });
  const catalogue = useQuery({ queryKey: ['permissions'], queryFn: () => unwrap(api.GET('/api/v1/permissions')) });
  if (!can(me, 'roles.view')) return <Empty description={t('empty.noPermission')} />;
  const manage = can(me, 'roles.manage');

  const open = (r: Role | 'new') => {
    form.resetFields();
    if (r !== 'new') {
      form.setFieldsValue({ name: r.name, nameEn: r.nameEn, description: r.description, permissions: r.permissions as Schemas['Permission'][], scopes: Object.fromEntries(r.scopes.map((s) => [s.module, s.scope])) });
    } else {
      form.setFieldsValue({ permissions: [], scopes: {} });
    }
    setEditing(r);
  };

  const save = async () => {
    const v = await form.validateFields();
    const body = {
      name: v.name,
      nameEn: v.nameEn || null,
      description: v.description || null,
      permissions: v.permissions ?? [],
      scopes: (Object.entries(v.scopes ?? {}) as [Schemas['ScopeModule'], Schemas['DataScope'] | undefined][])
        .filter(([, s]) => !!s)
        .map(([module, scope]) => ({ module, scope: scope! })),
    };
    try {
      if (editing === 'new') await unwrap(api.POST('/api/v1/roles', { body }));
      else if (editing) await unwrap(api.PUT('/api/v1/roles/{id}', { params: { path: { id: editing.id }, header: ifMatch(editing.version) }, body }));
      message.success(t('common.saved'));
      setEditing(null);
      qc.invalidateQueries({ queryKey: ['roles'] });
    } catch (e) {
      reportError(e, form);
    }
  };

  const remove = (r: Role) =>
    modal.confirm({
      title: t('roles.deleteConfirm', { name: r.name }),
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await unwrap(api.DELETE('/api/v1/roles/{id}', { params: { path: { id: r.id }, header: ifMatch(r.version) } }));
          qc.invalidateQueries({ queryKey: ['roles'] });
        } catch (e) {
          reportError(e);
        }
      },
    });

  return (
    <>
    <PageHeader title={t('roles.title')} actions={manage && <Button type="primary" onClick={() => open('new')}>{t('roles.add')}</Button>} />
    <Card>
      <Table<Role>
        rowKey="id"
        loading={roles.isLoading}
        dataSource={roles.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('roles.name'), dataIndex: 'name', render: (n, r) => <Space>{n}{r.builtin && <Tag>{t('roles.builtin')}</Tag>}{r.locked && <Tag color="red">{t('roles.locked')}</Tag>}</Space> },
          { title: t('roles.permissions'), dataIndex: 'permissions', render: (ps: string[]) => ps.map((p) => <Tag key={p}>{t(`perm.${p}`)}</Tag>) },
          { title: t('roles.scopes'), dataIndex: 'scopes', render: (ss: Role['scopes']) => ss.map((s) => `${t(`module.${s.module}`)}: ${t(`scope.${s.scope}`)}`).join('；') },
          { title: t('roles.users'), dataIndex: 'userCount' },
          {
            title: t('common.actions'),
            render: (_, r) =>
              manage && !r.locked ? (
                <Space>
                  <a onClick={() => open(r)}>{t('common.edit')}</a>
                  {!r.builtin && <a onClick={() => remove(r)}>{t('common.delete')}</a>}
                </Space>
              ) : null,
          },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? t('roles.add') : t('common.edit')} onOk={save} onCancel={() => setEditing(null)} width={640} destroyOnHidden>
        <Form form={form} name="role" layout="vertical">
          <Form.Item name="name" label={t('roles.name')} rules={[{ required: true, max: 40 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="nameEn" label={t('roles.nameEn')}>
            <Input />
          </Form.Item>
          <Form.Item name="description" label={t('roles.description')}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
          <Form.Item name="permissions" label={t('roles.permissions')}>
            <Checkbox.Group style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', gap: 8 }} options={(catalogue.data?.permissions ?? []).map((p) => ({ value: p, label: t(`perm.${p}`) }))} />
          </Form.Item>
          {(catalogue.data?.modules ?? []).map((m) => (
            <Form.Item key={m} name={['scopes', m]} label={`${t('roles.scopes')} · ${t(`module.${m}`)}`}>
              <Select allowClear options={(catalogue.data?.scopes ?? []).map((s) => ({ value: s, label: t(`scope.${s}`) }))} />
            </Form.Item>
          ))}
        </Form>
      </Modal>
    </Card>
    </>
  );
}

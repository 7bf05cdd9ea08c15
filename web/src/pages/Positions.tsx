// 岗位: the positions of the company with their default roles (a new holder's role). Listed to
// anyone who sees the org; edited by those who manage it.
import { useState } from 'react';
import { App, Button, Form, Input, Modal, Select, Switch, Table, Tag } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { reportError } from '../lib/errors';

type Position = Schemas['PositionView'];

interface PositionForm {
  name: string;
  nameEn?: string;
  defaultRoleId?: string;
  active: boolean;
}

export function Positions({ me }: { me: Me }) {
  useLocale();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<PositionForm>();
  const [editing, setEditing] = useState<Position | 'new' | null>(null);
  const manage = can(me, 'org.manage');
  const positions = useQuery({ queryKey: ['positions'], queryFn: () => unwrap(api.GET('/api/v1/org/positions')) });
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => unwrap(api.GET('/api/v1/roles')), enabled: can(me, 'roles.view') || can(me, 'people.manage') });
  const roleName = (id?: string | null) => roles.data?.find((r) => r.id === id)?.name ?? '—';

  const open = (p: Position | 'new') => {
    form.resetFields();
    form.setFieldsValue(p === 'new' ? { active: true } : { name: p.name, nameEn: p.nameEn, defaultRoleId: p.defaultRoleId ?? undefined, active: p.active });
    setEditing(p);
  };
  const save = async () => {
    const v = await form.validateFields();
    const body = { name: v.name, nameEn: v.nameEn || null, defaultRoleId: v.defaultRoleId ?? null, active: v.active };
    try {
      if (editing === 'new') await unwrap(api.POST('/api/v1/org/positions', { body }));
      else if (editing) await unwrap(api.PUT('/api/v1/org/positions/{id}', { params: { path: { id: editing.id }, header: ifMatch(editing.version) }, body }));
      message.success(t('common.saved'));
      setEditing(null);
      qc.invalidateQueries({ queryKey: ['positions'] });
    } catch (e) {
      reportError(e, form);
    }
  };

  return (
    <>
      {manage && (
        <Button type="primary" style={{ marginBottom: 12 }} onClick={() => open('new')}>
          {t('positions.add')}
        </Button>
      )}
      <Table<Position>
        rowKey="id"
        size="small"
        loading={positions.isLoading}
        dataSource={positions.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('positions.name'), dataIndex: 'name' },
          { title: t('roles.nameEn'), dataIndex: 'nameEn', responsive: ['md'] },
          { title: t('positions.defaultRole'), dataIndex: 'defaultRoleId', render: (id) => roleName(id) },
          { title: t('common.status'), dataIndex: 'active', render: (a: boolean) => (a ? <Tag color="green">{t('positions.inUse')}</Tag> : <Tag>{t('positions.retired')}</Tag>) },
          { title: t('common.actions'), render: (_, p) => manage && <a onClick={() => open(p)}>{t('common.edit')}</a> },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? t('positions.add') : t('common.edit')} onOk={save} onCancel={() => setEditing(null)} destroyOnHidden>
        <Form form={form} name="position" layout="vertical">
          <Form.Item name="name" label={t('positions.name')} rules={[{ required: true, max: 40 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="nameEn" label={t('roles.nameEn')}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name="defaultRoleId" label={t('positions.defaultRole')}>
            <Select allowClear options={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))} />
          </Form.Item>
          <Form.Item name="active" label={t('positions.inUse')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

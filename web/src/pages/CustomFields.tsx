// 自定义字段: the fields a company adds to its customer records. Administrators (customers.settings)
// add and edit them; a field's code and type stay as created, and options are retired rather
// than removed so every customer's value keeps its label.
import { useState } from 'react';
import { App, Button, Checkbox, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { t } from '../i18n';
import { reportError } from '../lib/errors';
import { useCustomFields, type CustomField } from '../lib/customFields';

type Kind = Schemas['FieldKind'];
const KINDS: Kind[] = ['text', 'number', 'date', 'select', 'multi_select'];

interface FieldForm {
  code: string;
  label: string;
  kind: Kind;
  required: boolean;
  active: boolean;
  position?: number;
  options?: { code: string; label: string; active: boolean }[];
}

export function CustomFields() {
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<FieldForm>();
  const [editing, setEditing] = useState<CustomField | 'new' | null>(null);
  const fields = useCustomFields();
  const kind = Form.useWatch('kind', form);

  const open = (f: CustomField | 'new') => {
    form.resetFields();
    form.setFieldsValue(
      f === 'new'
        ? { kind: 'text', required: false, active: true, options: [] }
        : { code: f.code, label: f.label, kind: f.kind, required: f.required, active: f.active, position: f.position, options: f.options.map((o) => ({ ...o })) },
    );
    setEditing(f);
  };

  const save = async () => {
    const v = await form.validateFields();
    const picks = v.kind === 'select' || v.kind === 'multi_select';
    const body = {
      entity: 'customer',
      code: v.code.trim(),
      label: v.label.trim(),
      kind: v.kind,
      required: v.required,
      active: v.active,
      position: v.position ?? null,
      options: picks ? (v.options ?? []).map((o) => ({ code: o.code.trim(), label: o.label.trim(), active: o.active !== false })) : [],
    };
    try {
      if (editing === 'new') await unwrap(api.POST('/api/v1/custom-fields', { body }));
      else if (editing) await unwrap(api.PUT('/api/v1/custom-fields/{id}', { params: { path: { id: editing.id }, header: ifMatch(editing.version) }, body }));
      message.success(t('common.saved'));
      setEditing(null);
      qc.invalidateQueries({ queryKey: ['custom-fields'] });
    } catch (e) {
      reportError(e, form);
    }
  };

  const existing = editing !== null && editing !== 'new';
  const existingOption = (code?: string) => existing && editing.options.some((o) => o.code === code);

  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('customFields.title')}
        </Typography.Title>
        <Button type="primary" onClick={() => open('new')} data-testid="custom-field-add">
          {t('customFields.add')}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary">{t('customFields.hint')}</Typography.Paragraph>
      <Table<CustomField>
        rowKey="id"
        size="small"
        loading={fields.isLoading}
        dataSource={fields.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('customFields.label'), dataIndex: 'label' },
          { title: t('customFields.code'), dataIndex: 'code', responsive: ['md'], render: (c: string) => <Typography.Text code>{c}</Typography.Text> },
          { title: t('customFields.kind'), dataIndex: 'kind', render: (k: Kind) => t(`customFields.kinds.${k}`) },
          {
            title: t('customFields.options'),
            dataIndex: 'options',
            responsive: ['lg'],
            render: (_, f) => f.options.map((o) => <Tag key={o.code} color={o.active ? undefined : 'default'} style={o.active ? undefined : { textDecoration: 'line-through' }}>{o.label}</Tag>),
          },
          { title: t('customFields.required'), dataIndex: 'required', render: (r: boolean) => (r ? t('common.yes') : '') },
          { title: t('common.status'), dataIndex: 'active', render: (a: boolean) => (a ? <Tag color="green">{t('positions.inUse')}</Tag> : <Tag>{t('positions.retired')}</Tag>) },
          { title: t('common.actions'), render: (_, f) => <a onClick={() => open(f)}>{t('common.edit')}</a> },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? t('customFields.add') : t('common.edit')} onOk={save} onCancel={() => setEditing(null)} destroyOnHidden forceRender width={640}>
        <Form form={form} name="custom-field" layout="vertical">
          <Form.Item name="label" label={t('customFields.label')} rules={[{ required: true, max: 30 }]}>
            <Input maxLength={30} />
          </Form.Item>
          <Form.Item name="code" label={t('customFields.code')} extra={t('customFields.codeHint')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,29}$/, message: t('customFields.codeHint') }]}>
            <Input maxLength={30} disabled={existing} />
          </Form.Item>
          <Form.Item name="kind" label={t('customFields.kind')} rules={[{ required: true }]}>
            <Select disabled={existing} options={KINDS.map((k) => ({ value: k, label: t(`customFields.kinds.${k}`) }))} />
          </Form.Item>
          {(kind === 'select' || kind === 'multi_select') && (
            <Form.List name="options">
              {(items, { add, remove }) => (
                <Form.Item label={t('customFields.options')} required>
                  {items.map((item) => {
                    const code = form.getFieldValue(['options', item.name, 'code']) as string | undefined;
                    const kept = existingOption(code);
                    return (
                      <Space key={item.key} align="baseline" wrap>
                        <Form.Item name={[item.name, 'label']} rules={[{ required: true, max: 40 }]}>
                          <Input placeholder={t('customFields.optionLabel')} maxLength={40} />
                        </Form.Item>
                        <Form.Item name={[item.name, 'code']} rules={[{ required: true, pattern: /^[a-z0-9_]{1,40}$/, message: t('customFields.codeHint') }]}>
                          <Input placeholder={t('customFields.code')} maxLength={40} disabled={kept} style={{ width: 140 }} />
                        </Form.Item>
                        <Form.Item name={[item.name, 'active']} valuePropName="checked">
                          <Checkbox>{t('positions.inUse')}</Checkbox>
                        </Form.Item>
                        {/* Options customers may hold are retired (unticked), never removed. */}
                        {!kept && <MinusCircleOutlined onClick={() => remove(item.name)} aria-label={t('common.delete')} />}
                      </Space>
                    );
                  })}
                  <Button type="dashed" onClick={() => add({ code: '', label: '', active: true })} icon={<PlusOutlined />} block>
                    {t('customFields.addOption')}
                  </Button>
                </Form.Item>
              )}
            </Form.List>
          )}
          <Space size="large" wrap>
            <Form.Item name="required" label={t('customFields.required')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <Form.Item name="active" label={t('positions.inUse')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <Form.Item name="position" label={t('customFields.position')}>
              <InputNumber min={0} max={100000} />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </>
  );
}

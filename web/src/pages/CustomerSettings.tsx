// 客户设置: the customer archive's company-wide settings for administrators (customers.settings):
// the 遗忘提醒 days per customer level and the custom fields.
import { useEffect } from 'react';
import { App, Button, Card, Form, InputNumber, Result, Select, Space, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { reportError } from '../lib/errors';
import { selectOptions, useCustomerOptions } from '../lib/customers';
import { CustomFields } from './CustomFields';
import { PageHeader } from '../components/PageHeader';

interface RulesForm {
  rules: { levelCode: string; days: number }[];
}

function ForgottenRules() {
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<RulesForm>();
  const options = useCustomerOptions();
  const rules = useQuery({ queryKey: ['forgotten-rules'], queryFn: () => unwrap(api.GET('/api/v1/customer-settings/forgotten-rules')) });
  useEffect(() => {
    // The catch-all reads last, after the levels with rules of their own.
    if (rules.data) form.setFieldsValue({ rules: [...rules.data].sort((a, b) => Number(a.levelCode === '*') - Number(b.levelCode === '*') || a.levelCode.localeCompare(b.levelCode)) });
  }, [rules.data, form]);
  const levels = [{ value: '*', label: t('forgotten.others') }, ...selectOptions(options.data, 'level')];

  const save = async () => {
    const v = await form.validateFields();
    try {
      await unwrap(api.PUT('/api/v1/customer-settings/forgotten-rules', { body: { rules: v.rules ?? [] } }));
      message.success(t('common.saved'));
      qc.invalidateQueries({ queryKey: ['forgotten-rules'] });
    } catch (e) {
      reportError(e, form);
    }
  };

  return (
    <Card title={t('forgotten.title')} style={{ marginBottom: 16 }} loading={rules.isLoading} data-testid="forgotten-rules">
      <Typography.Paragraph type="secondary">{t('forgotten.hint')}</Typography.Paragraph>
      <Form form={form} name="forgotten-rules" layout="inline">
        <Form.List name="rules">
          {(items, { add, remove }) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {items.map((item) => (
                <Space key={item.key} align="baseline" wrap>
                  <Form.Item name={[item.name, 'levelCode']} rules={[{ required: true }]}>
                    <Select options={levels} style={{ width: 140 }} aria-label={t('forgotten.level')} />
                  </Form.Item>
                  <Form.Item name={[item.name, 'days']} rules={[{ required: true }]}>
                    <InputNumber min={1} max={3650} addonAfter={t('forgotten.days')} aria-label={t('forgotten.days')} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(item.name)} aria-label={t('common.delete')} />
                </Space>
              ))}
              <Space>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ levelCode: undefined, days: 30 })}>
                  {t('forgotten.add')}
                </Button>
                <Button type="primary" onClick={save} data-testid="forgotten-save">
                  {t('common.save')}
                </Button>
              </Space>
            </Space>
          )}
        </Form.List>
      </Form>
    </Card>
  );
}

export default function CustomerSettings({ me }: { me: Me }) {
  useLocale();
  if (!can(me, 'customers.settings')) return <Result status="403" title={t('empty.noPermission')} />;
  return (
    <>
      <PageHeader title={t('nav.customerSettings')} />
      <ForgottenRules />
      <Card>
        <CustomFields />
      </Card>
    </>
  );
}

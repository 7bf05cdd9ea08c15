import { Alert, Button, Card, Form, Input, Typography, message } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { t, useLocale } from '../i18n';
import { ME_KEY, useSignOut } from '../auth/session';
import { reportError } from '../lib/errors';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/** Changing one's password; `forced` when a temporary password must be replaced first. */
export function PasswordForm({ onDone }: { onDone?: () => void }) {
  useLocale();
  const [form] = Form.useForm<Values>();
  const submit = async (v: Values) => {
    try {
      await unwrap(api.POST('/api/v1/me/password', { body: { currentPassword: v.currentPassword, newPassword: v.newPassword } }));
      message.success(t('password.changed'));
      form.resetFields();
      onDone?.();
    } catch (e) {
      reportError(e, form);
    }
  };
  return (
    <Form form={form} name="password" layout="vertical" onFinish={submit} style={{ maxWidth: 400 }}>
      <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="newPassword" label={t('password.new')} extra={t('password.rules')} rules={[{ required: true }, { min: 8 }]}>
        <Input.Password autoComplete="new-password" maxLength={128} />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('password.confirm')}
        dependencies={['newPassword']}
        rules={[
          { required: true },
          ({ getFieldValue }) => ({
            validator: (_, value) => (!value || getFieldValue('newPassword') === value ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" maxLength={128} />
      </Form.Item>
      <Button type="primary" htmlType="submit">
        {t('common.save')}
      </Button>
    </Form>
  );
}

export default function ChangePassword({ forced }: { forced?: boolean }) {
  useLocale();
  const qc = useQueryClient();
  const signOut = useSignOut();
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: '100%', maxWidth: 440 }}>
        <Typography.Title level={4}>{t('password.title')}</Typography.Title>
        {forced && <Alert type="info" showIcon message={t('password.forced')} style={{ marginBottom: 16 }} />}
        <PasswordForm onDone={() => qc.invalidateQueries({ queryKey: ME_KEY })} />
        <Button type="link" style={{ padding: 0, marginTop: 12 }} onClick={signOut}>
          {t('nav.logout')}
        </Button>
      </Card>
    </div>
  );
}

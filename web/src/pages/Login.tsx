import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { t, setLocale, useLocale, type Locale } from '../i18n';
import { ME_KEY } from '../auth/session';
import { describeError } from '../lib/errors';

export default function Login() {
  useLocale();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const loc = useLocation();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: { login: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const me = await unwrap(api.POST('/api/v1/auth/login', { body: v }));
      if (me.locale === 'zh-CN' || me.locale === 'en-US') setLocale(me.locale as Locale);
      qc.setQueryData(ME_KEY, me);
      navigate((loc.state as { from?: string } | null)?.from ?? '/', { replace: true });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: '100%', maxWidth: 380 }}>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('app.name')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="login" label={t('login.login')} rules={[{ required: true, message: t('login.required') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus maxLength={64} />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" maxLength={128} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
        <Button type="link" style={{ marginTop: 8, padding: 0 }} onClick={() => setLocale(t('lang.switch') === 'English' ? 'en-US' : 'zh-CN')}>
          {t('lang.switch')}
        </Button>
      </Card>
    </div>
  );
}

// 个人设置: password, language, signed-in devices, and API tokens for those who may have them.
import { useState } from 'react';
import { App, Button, Card, Form, Input, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { api, unwrap, type Schemas } from '../api/client';
import { t, setLocale, useLocale, type Locale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { reportError } from '../lib/errors';
import { PasswordForm } from './ChangePassword';
import { PageHeader } from '../components/PageHeader';

export default function Account({ me }: { me: Me }) {
  const locale = useLocale();
  const qc = useQueryClient();
  const { modal } = App.useApp();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => unwrap(api.GET('/api/v1/me/sessions')) });
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => unwrap(api.GET('/api/v1/me/api-tokens')), enabled: can(me, 'api_tokens.manage') });
  const [tokenForm] = Form.useForm<{ name: string; permissions: Schemas['Permission'][] }>();
  const [creating, setCreating] = useState(false);

  const changeLanguage = async (next: Locale) => {
    setLocale(next);
    await api.PUT('/api/v1/me/locale', { body: { locale: next } });
  };
  const endSession = async (id: string) => {
    try {
      await unwrap(api.DELETE('/api/v1/me/sessions/{id}', { params: { path: { id } } }));
      qc.invalidateQueries({ queryKey: ['sessions'] });
    } catch (e) {
      reportError(e);
    }
  };
  const createToken = async () => {
    const v = await tokenForm.validateFields();
    setCreating(true);
    try {
      const r = await unwrap(api.POST('/api/v1/me/api-tokens', { body: { name: v.name, permissions: v.permissions } }));
      modal.info({ title: t('account.tokenCreated'), content: <Typography.Text copyable code>{r.token}</Typography.Text>, width: 560 });
      tokenForm.resetFields();
      qc.invalidateQueries({ queryKey: ['tokens'] });
    } catch (e) {
      reportError(e, tokenForm);
    } finally {
      setCreating(false);
    }
  };
  const revoke = async (id: string) => {
    try {
      await unwrap(api.DELETE('/api/v1/me/api-tokens/{id}', { params: { path: { id } } }));
      qc.invalidateQueries({ queryKey: ['tokens'] });
    } catch (e) {
      reportError(e);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <PageHeader title={t('nav.account')} />
      <Card title={t('account.language')}>
        <Radio.Group value={locale} onChange={(e) => changeLanguage(e.target.value)} options={[{ value: 'zh-CN', label: '中文' }, { value: 'en-US', label: 'English' }]} />
      </Card>
      <Card title={t('password.title')}>
        <PasswordForm onDone={() => qc.invalidateQueries({ queryKey: ['sessions'] })} />
      </Card>
      <Card title={t('account.sessions')}>
        <Table
          rowKey="id"
          size="small"
          loading={sessions.isLoading}
          dataSource={sessions.data ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: 'IP', dataIndex: 'ip' },
            { title: 'User-Agent', dataIndex: 'userAgent', ellipsis: true, responsive: ['md'] },
            { title: t('account.lastSeen'), dataIndex: 'lastSeenAt', render: (v: number) => dayjs(v).format('YYYY-MM-DD HH:mm') },
            { title: '', render: (_, s) => (s.current ? <Tag color="blue">{t('account.sessionCurrent')}</Tag> : <a onClick={() => endSession(s.id)}>{t('account.endSession')}</a>) },
          ]}
        />
      </Card>
      {can(me, 'api_tokens.manage') && (
        <Card title={t('account.tokens')}>
          <Form form={tokenForm} name="token" layout="inline" style={{ marginBottom: 16, rowGap: 8 }}>
            <Form.Item name="name" rules={[{ required: true, max: 60 }]}>
              <Input placeholder={t('account.tokenName')} />
            </Form.Item>
            <Form.Item name="permissions" rules={[{ required: true }]}>
              <Select mode="multiple" style={{ minWidth: 240 }} options={me.permissions.map((p) => ({ value: p, label: t(`perm.${p}`) }))} />
            </Form.Item>
            <Button type="primary" onClick={createToken} loading={creating}>
              {t('common.create')}
            </Button>
          </Form>
          <Table
            rowKey="id"
            size="small"
            dataSource={tokens.data ?? []}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              { title: t('account.tokenName'), dataIndex: 'name' },
              { title: '', dataIndex: 'tokenPrefix', render: (p: string) => <code>{p}…</code> },
              { title: t('roles.permissions'), dataIndex: 'permissions', render: (ps: string[]) => ps.map((p) => <Tag key={p}>{t(`perm.${p}`)}</Tag>) },
              { title: '', render: (_, tk) => (tk.revokedAt ? <Tag>{t('account.revoke')}</Tag> : <a onClick={() => revoke(tk.id)}>{t('account.revoke')}</a>) },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}

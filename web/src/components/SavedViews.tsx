// Saved views (保存的视图) of a list: pick one to open the list with its filters, sort and
// columns; save the list as it is now under a name (the same name replaces that view); make
// one the default, opened with the list.
import { useEffect, useRef, useState } from 'react';
import { App, Button, Checkbox, Dropdown, Form, Input, Modal, Select, Space } from 'antd';
import { DownOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { t } from '../i18n';
import { reportError } from '../lib/errors';

export type SavedView = Schemas['SavedViewView'];

export function SavedViews({
  kind,
  current,
  onApply,
  skipDefault,
  meId,
  canShare,
}: {
  kind: 'customers';
  current: () => { query: Record<string, string>; columns: string[] };
  onApply: (v: SavedView | null) => void;
  /** The page was opened with filters of its own (a link): they win over the default view. */
  skipDefault?: boolean;
  /** Who is reading: only a view's owner changes or deletes it. */
  meId: string;
  /** Administrators may share a view with everyone (公共视图). */
  canShare?: boolean;
}) {
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const views = useQuery({ queryKey: ['views', kind], queryFn: () => unwrap(api.GET('/api/v1/me/views', { params: { query: { kind } } })) });
  const [active, setActive] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ name: string; isDefault?: boolean; shared?: boolean }>();
  // The default view opens once, when the list first loads.
  const apply = useRef(onApply);
  apply.current = onApply;
  const openedDefault = useRef(false);
  useEffect(() => {
    if (openedDefault.current || !views.data) return;
    openedDefault.current = true;
    if (skipDefault) return;
    const d = views.data.find((v) => v.isDefault);
    if (d) {
      setActive(d.id);
      apply.current(d);
    }
  }, [views.data, skipDefault]);

  const list = views.data ?? [];
  const activeView = list.find((v) => v.id === active);
  const mine = (v?: SavedView) => !!v && v.ownerId === meId;
  const refresh = () => qc.invalidateQueries({ queryKey: ['views', kind] });

  const save = async () => {
    const v = await form.validateFields();
    const body = { kind, name: v.name.trim(), isDefault: !!v.isDefault, shared: !!canShare && !!v.shared, ...current() };
    const same = list.find((x) => x.name === body.name && mine(x));
    try {
      const saved = same
        ? await unwrap(api.PUT('/api/v1/me/views/{id}', { params: { path: { id: same.id }, header: ifMatch(same.version) }, body }))
        : await unwrap(api.POST('/api/v1/me/views', { body }));
      message.success(t('common.saved'));
      setSaving(false);
      setActive(saved.id);
      await refresh();
    } catch (e) {
      reportError(e, form);
    }
  };

  const remove = (v: SavedView) =>
    modal.confirm({
      title: t('views.deleteConfirm', { name: v.name }),
      onOk: async () => {
        try {
          await unwrap(api.DELETE('/api/v1/me/views/{id}', { params: { path: { id: v.id } } }));
          setActive(undefined);
          await refresh();
        } catch (e) {
          reportError(e);
        }
      },
    });

  return (
    <>
      <Space.Compact>
        <Select
        placeholder={t('views.placeholder')}
        value={active}
        allowClear
        style={{ minWidth: 150 }}
        options={list.map((v) => ({ value: v.id, label: `${v.name}${v.isDefault ? `（${t('views.default')}）` : ''}${v.shared ? `（${t('views.shared')}）` : ''}` }))}
        onChange={(id?: string) => {
          setActive(id);
          onApply(list.find((v) => v.id === id) ?? null);
        }}
        data-testid="views-select"
      />
      <Dropdown
        menu={{
          items: [
            { key: 'save', label: t('views.save') },
            ...(mine(activeView) ? [{ key: 'delete', label: t('views.delete'), danger: true }] : []),
          ],
          onClick: ({ key }) => {
            if (key === 'save') {
              const own = mine(activeView);
              form.setFieldsValue({ name: own ? (activeView?.name ?? '') : '', isDefault: own && !!activeView?.isDefault, shared: own && !!activeView?.shared });
              setSaving(true);
            } else if (activeView) {
              remove(activeView);
            }
          },
        }}
      >
        <Button icon={<DownOutlined />} aria-label={t('views.actions')} data-testid="views-actions" />
      </Dropdown>
      </Space.Compact>
      <Modal title={t('views.save')} open={saving} onOk={save} onCancel={() => setSaving(false)} forceRender>
        <Form form={form} name="view-form" layout="vertical" data-testid="view-form">
          <Form.Item name="name" label={t('views.name')} rules={[{ required: true, whitespace: true, max: 40 }]} extra={t('views.sameName')}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="isDefault" valuePropName="checked" noStyle>
            <Checkbox>{t('views.makeDefault')}</Checkbox>
          </Form.Item>
          {canShare && (
            <Form.Item name="shared" valuePropName="checked" style={{ marginTop: 8, marginBottom: 0 }}>
              <Checkbox data-testid="view-shared">{t('views.share')}</Checkbox>
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}

// One customer: details, contacts, follow-ups and the ownership history on one page, with
// the actions the reader may take (edit, lock, team, follow-up, return to the pool).
import { useState } from 'react';
import { useParams, Link, useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Col, DatePicker, Descriptions, Drawer, Empty, Form, Input, List, Modal, Result, Row, Select, Space, Spin, Table, Tag, Timeline, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api, ApiError, ifMatch, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { reportError } from '../lib/errors';
import { SearchSelect } from '../components/SearchSelect';
import { LEVEL_COLOURS, formatAddress, optionLabel, useCustomerOptions } from '../lib/customers';
import { activeFields, useCustomFields, valueText, type FieldValue } from '../lib/customFields';
import { CustomerForm, customerBody, type CustomerFormValues } from '../components/CustomerForm';
import { AttachmentList, AttachmentUploader, deleteAttachment, type Attachment } from '../components/Attachments';
import { formatTime } from './Customers';
import { useIsPhone } from '../lib/layout';
import { PhoneLink } from '../components/PhoneLink';

type Contact = Schemas['ContactView'];
const METHODS = ['phone', 'visit', 'wechat', 'email', 'meeting', 'other'] as const;
const ROLES = ['decision_maker', 'influencer', 'user', 'purchaser', 'technical', 'finance', 'other'] as const;

interface FollowupForm {
  method: (typeof METHODS)[number];
  content: string;
  contactIds?: string[];
  happenedAt?: Dayjs;
  nextAt?: Dayjs;
  nextStep?: string;
  attachments?: Attachment[];
}

/** Files a follow-up may take (the server's limit too). */
const MAX_FOLLOWUP_FILES = 9;

export default function CustomerDetail({ me }: { me: Me }) {
  useLocale();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const options = useCustomerOptions();
  const customFields = useCustomFields();
  const phone = useIsPhone();
  const [editForm] = Form.useForm<CustomerFormValues>();
  const [contactForm] = Form.useForm<Schemas['ContactBody']>();
  const [followForm] = Form.useForm<FollowupForm>();
  const [returnForm] = Form.useForm<{ poolId: string; reason: string }>();
  const [editing, setEditing] = useState(false);
  const [contact, setContact] = useState<Contact | 'new' | null>(null);
  const [following, setFollowing] = useState(false);
  const [returning, setReturning] = useState(false);
  const [merging, setMerging] = useState(false);
  const [mergeForm] = Form.useForm<{ duplicateId: string }>();

  const detail = useQuery({ queryKey: ['customer', id], queryFn: () => unwrap(api.GET('/api/v1/customers/{id}', { params: { path: { id } } })) });
  const followups = useQuery({ queryKey: ['customer', id, 'followups'], queryFn: () => unwrap(api.GET('/api/v1/customers/{id}/followups', { params: { path: { id }, query: { pageSize: 100 } } })) });
  const files = useQuery({ queryKey: ['customer', id, 'attachments'], queryFn: () => unwrap(api.GET('/api/v1/customers/{id}/attachments', { params: { path: { id } } })) });
  const pools = useQuery({ queryKey: ['pools'], queryFn: () => unwrap(api.GET('/api/v1/pools')), enabled: can(me, 'pools.use') });
  const refresh = () => qc.invalidateQueries({ queryKey: ['customer', id] });

  if (detail.isLoading) return <Spin />;
  if (detail.error || !detail.data) {
    const missing = detail.error instanceof ApiError && detail.error.status === 404;
    return <Result status={missing ? '404' : 'error'} title={missing ? t('notFound.title') : t('error.generic')} extra={<Link to="/customers">{t('customers.back')}</Link>} />;
  }
  const d = detail.data;
  const c = d.customer;
  const label = (kind: 'type' | 'level' | 'status' | 'industry' | 'source', code?: string | null) => optionLabel(options.data, kind, code) || '—';

  const saveEdit = async () => {
    const v = await editForm.validateFields();
    try {
      await unwrap(api.PUT('/api/v1/customers/{id}', { params: { path: { id }, header: ifMatch(c.version) }, body: customerBody(v, customFields.data) }));
      message.success(t('common.saved'));
      setEditing(false);
      refresh();
    } catch (e) {
      reportError(e, editForm);
    }
  };

  const toggleLock = async () => {
    try {
      await unwrap(api.PUT('/api/v1/customers/{id}/lock', { params: { path: { id }, header: ifMatch(c.version) }, body: { locked: !c.locked } }));
      refresh();
    } catch (e) {
      reportError(e);
    }
  };

  const saveContact = async () => {
    const v = await contactForm.validateFields();
    const body = { ...v, isPrimary: !!v.isPrimary, left: !!v.left };
    try {
      if (contact === 'new') await unwrap(api.POST('/api/v1/customers/{id}/contacts', { params: { path: { id } }, body }));
      else if (contact) await unwrap(api.PUT('/api/v1/customers/{id}/contacts/{contact_id}', { params: { path: { id, contact_id: contact.id }, header: ifMatch(contact.version) }, body }));
      setContact(null);
      refresh();
    } catch (e) {
      reportError(e, contactForm);
    }
  };

  const saveFollowup = async () => {
    const v = await followForm.validateFields();
    try {
      await unwrap(
        api.POST('/api/v1/customers/{id}/followups', {
          params: { path: { id } },
          body: {
            method: v.method,
            content: v.content,
            contactIds: v.contactIds ?? [],
            happenedAt: v.happenedAt?.valueOf() ?? null,
            nextAt: v.nextAt?.valueOf() ?? null,
            nextStep: v.nextStep || null,
            attachmentIds: (v.attachments ?? []).map((a) => a.id),
          },
        }),
      );
      message.success(t('common.saved'));
      setFollowing(false);
      refresh();
    } catch (e) {
      reportError(e, followForm);
    }
  };

  // Files uploaded for a follow-up that is then abandoned are not left in the archive.
  const cancelFollowup = () => {
    const uploaded = (followForm.getFieldValue('attachments') as Attachment[] | undefined) ?? [];
    setFollowing(false);
    void Promise.allSettled(uploaded.map((a) => deleteAttachment(a.id))).then(refresh);
  };

  const returnToPool = async () => {
    const v = await returnForm.validateFields();
    try {
      await unwrap(api.POST('/api/v1/customers/{id}/return-to-pool', { params: { path: { id } }, body: v }));
      message.success(t('common.saved'));
      setReturning(false);
      navigate('/customers');
    } catch (e) {
      reportError(e, returnForm);
    }
  };

  const openEdit = () => {
    editForm.setFieldsValue({
      name: c.name,
      shortName: c.shortName ?? undefined,
      creditCode: c.creditCode ?? undefined,
      typeCode: c.typeCode ?? undefined,
      levelCode: c.levelCode ?? undefined,
      statusCode: c.statusCode ?? undefined,
      industryCode: c.industryCode ?? undefined,
      sourceCode: c.sourceCode ?? undefined,
      province: c.province ?? undefined,
      city: c.city ?? undefined,
      district: c.district ?? undefined,
      address: c.address ?? undefined,
      notes: c.notes ?? undefined,
      tags: c.tags,
      customFields: c.customFields as CustomerFormValues['customFields'],
    });
    setEditing(true);
  };

  const openContact = (k: Contact | 'new') => {
    contactForm.resetFields();
    if (k !== 'new') contactForm.setFieldsValue({ ...k, title: k.title ?? undefined, role: k.role ?? undefined, mobile: k.mobile ?? undefined, phone: k.phone ?? undefined, email: k.email ?? undefined, wechat: k.wechat ?? undefined, birthday: k.birthday ?? undefined, left: k.leftAt != null });
    setContact(k);
  };

  const activeContacts = d.contacts.filter((k) => k.leftAt == null);
  const contactName = (cid: string) => d.contacts.find((k) => k.id === cid)?.name ?? '';

  return (
    <div>
      <Space style={{ marginBottom: 12 }} wrap>
        <Link to="/customers">← {t('customers.back')}</Link>
      </Space>
      <Card>
        {/* The name comes first and whole; the actions wrap below it on a narrow screen. */}
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, justifyContent: 'space-between', alignItems: 'flex-start', marginBottom: 16 }}>
          <Space wrap size={[8, 4]} style={{ flex: '1 1 260px', minWidth: 0 }}>
            <Typography.Title level={4} style={{ margin: 0, overflowWrap: 'anywhere' }} data-testid="customer-title">
              {c.name}
            </Typography.Title>
            {c.levelCode && <Tag color={LEVEL_COLOURS[c.levelCode] ?? 'default'} data-testid="customer-level">{label('level', c.levelCode)}</Tag>}
            {c.locked && <Tag color="purple">{t('customers.locked')}</Tag>}
          </Space>
          <Space wrap>
            {d.canEdit && <Button onClick={() => { followForm.resetFields(); followForm.setFieldsValue({ method: 'phone' }); setFollowing(true); }} type="primary" data-testid="followup-add">{t('customers.addFollowup')}</Button>}
            {d.canEdit && <Button onClick={openEdit} data-testid="customer-edit">{t('common.edit')}</Button>}
            {d.canManage && <Button onClick={toggleLock}>{c.locked ? t('customers.unlock') : t('customers.lock')}</Button>}
            {d.canManage && can(me, 'customers.settings') && (
              <Button onClick={() => { mergeForm.resetFields(); setMerging(true); }} data-testid="customer-merge">
                {t('customers.merge')}
              </Button>
            )}
            {d.canManage && can(me, 'pools.use') && (pools.data?.length ?? 0) > 0 && (
              <Button danger onClick={() => { returnForm.resetFields(); setReturning(true); }} data-testid="customer-return">
                {t('customers.returnToPool')}
              </Button>
            )}
          </Space>
        </div>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('customers.owner')}>{c.ownerName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customers.unit')}>{c.unitName}</Descriptions.Item>
          <Descriptions.Item label={t('customers.status')}>{label('status', c.statusCode)}</Descriptions.Item>
          <Descriptions.Item label={t('customers.type')}>{label('type', c.typeCode)}</Descriptions.Item>
          <Descriptions.Item label={t('customers.industry')}>{label('industry', c.industryCode)}</Descriptions.Item>
          <Descriptions.Item label={t('customers.source')}>{label('source', c.sourceCode)}</Descriptions.Item>
          <Descriptions.Item label={t('customers.creditCode')}>{c.creditCode ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customers.address')}>{formatAddress(c) || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customers.lastFollowup')}>{formatTime(c.lastFollowupAt)}</Descriptions.Item>
          <Descriptions.Item label={t('customers.nextFollowup')}>{formatTime(c.nextFollowupAt)}</Descriptions.Item>
          <Descriptions.Item label={t('customers.tags')}>{c.tags.length ? c.tags.map((x) => <Tag key={x}>{x}</Tag>) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customers.team')}>{d.collaborators.map((m) => `${m.displayName}（${m.canEdit ? t('customers.canEdit') : t('customers.readOnly')}）`).join('、') || '—'}</Descriptions.Item>
          {activeFields(customFields.data).map((f) => (
            <Descriptions.Item key={f.code} label={f.label}>
              {valueText(f, c.customFields[f.code] as FieldValue) || '—'}
            </Descriptions.Item>
          ))}
          {c.notes && <Descriptions.Item label={t('customers.notes')} span={3}>{c.notes}</Descriptions.Item>}
        </Descriptions>
      </Card>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={14}>
          <Card title={t('customers.followups')}>
            {(followups.data?.items.length ?? 0) === 0 ? (
              <Empty description={t('customers.noFollowups')} />
            ) : (
              <Timeline
                data-testid="followups"
                items={(followups.data?.items ?? []).map((f) => ({
                  children: (
                    <div>
                      <Typography.Text strong>{formatTime(f.happenedAt)}</Typography.Text> <Tag>{t(`method.${f.method}`)}</Tag>
                      <Typography.Text type="secondary">{f.authorName}</Typography.Text>
                      <div style={{ whiteSpace: 'pre-wrap' }}>{f.content}</div>
                      {f.contactIds.length > 0 && <Typography.Text type="secondary">{f.contactIds.map(contactName).join('、')}</Typography.Text>}
                      <AttachmentList items={f.attachments} />
                      {(f.nextStep || f.nextAt) && (
                        <div>
                          <Typography.Text type="secondary">
                            {t('customers.nextStep')}：{f.nextStep ?? ''} {f.nextAt ? formatTime(f.nextAt) : ''}
                          </Typography.Text>
                        </div>
                      )}
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('customers.contacts')} extra={d.canEdit && <Button size="small" onClick={() => openContact('new')}>{t('customers.addContact')}</Button>}>
            {phone ? (
              <List<Contact>
                size="small"
                dataSource={d.contacts}
                data-testid="contacts"
                renderItem={(k) => (
                  <List.Item>
                    <List.Item.Meta
                      title={
                        <Space size={4} wrap>
                          {d.canEdit ? <a onClick={() => openContact(k)}>{k.name}</a> : k.name}
                          {k.isPrimary && <Tag color="blue">{t('customers.primary')}</Tag>}
                          {k.leftAt != null && <Tag>{t('customers.left')}</Tag>}
                        </Space>
                      }
                      description={[k.title, k.role ? t(`role.${k.role}`) : null].filter(Boolean).join(' · ')}
                    />
                    {k.mobile && <PhoneLink number={k.mobile} />}
                  </List.Item>
                )}
              />
            ) : (
              <Table<Contact>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.contacts}
                scroll={{ x: 'max-content' }}
                columns={[
                  { title: t('customers.contactName'), dataIndex: 'name', render: (_, k) => <Space size={4}>{d.canEdit ? <a onClick={() => openContact(k)}>{k.name}</a> : k.name}{k.isPrimary && <Tag color="blue">{t('customers.primary')}</Tag>}{k.leftAt != null && <Tag>{t('customers.left')}</Tag>}</Space> },
                  { title: t('customers.contactTitle'), dataIndex: 'title' },
                  { title: t('customers.mobile'), dataIndex: 'mobile', render: (_, k) => (k.mobile ? <PhoneLink number={k.mobile} /> : '') },
                  { title: t('customers.contactRole'), dataIndex: 'role', render: (_, k) => (k.role ? t(`role.${k.role}`) : '') },
                ]}
              />
            )}
          </Card>
          <Card title={t('attachments.title')} style={{ marginTop: 16 }} data-testid="customer-files">
            {d.canEdit && (
              <AttachmentUploader customerId={id} value={[]} onChange={() => refresh()} />
            )}
            {(files.data?.length ?? 0) === 0 ? (
              <Typography.Text type="secondary">{t('attachments.none')}</Typography.Text>
            ) : (
              <AttachmentList items={files.data ?? []} canDelete={(a) => d.canManage || (d.canEdit && a.uploadedBy === me.id)} onDeleted={() => refresh()} />
            )}
          </Card>
          <Card title={t('customers.history')} style={{ marginTop: 16 }}>
            <Timeline
              items={d.history.map((h) => ({
                children: (
                  <div>
                    <Typography.Text strong>{formatTime(h.at)}</Typography.Text> <Tag>{t(`change.${h.change}`)}</Tag>
                    <Typography.Text type="secondary">
                      {[h.fromOwnerName, h.toOwnerName].filter(Boolean).join(' → ')} {h.byName ? `（${h.byName}）` : ''}
                    </Typography.Text>
                    {h.reason && <div>{h.reason}</div>}
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
      </Row>
      <Drawer title={t('common.edit')} open={editing} onClose={() => setEditing(false)} width={Math.min(720, window.innerWidth)} destroyOnHidden extra={<Button type="primary" onClick={saveEdit} data-testid="customer-edit-save">{t('common.save')}</Button>}>
        <CustomerForm form={editForm} excludeId={id} />
      </Drawer>
      <Modal title={contact === 'new' ? t('customers.addContact') : t('common.edit')} open={contact !== null} onOk={saveContact} onCancel={() => setContact(null)} destroyOnHidden>
        <Form form={contactForm} name="contact-form" layout="vertical">
          <Form.Item name="name" label={t('customers.contactName')} rules={[{ required: true, max: 40 }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="title" label={t('customers.contactTitle')}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="role" label={t('customers.contactRole')}>
            <Select allowClear options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
          </Form.Item>
          <Form.Item name="mobile" label={t('customers.mobile')}>
            <Input maxLength={20} inputMode="tel" />
          </Form.Item>
          <Form.Item name="phone" label={t('customers.phone')}>
            <Input maxLength={30} />
          </Form.Item>
          <Form.Item name="email" label={t('customers.email')}>
            <Input maxLength={254} />
          </Form.Item>
          <Form.Item name="wechat" label={t('customers.wechat')}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="birthday" label={t('customers.birthday')}>
            <Input placeholder="YYYY-MM-DD" maxLength={10} />
          </Form.Item>
          <Space>
            <Form.Item name="isPrimary" valuePropName="checked" noStyle>
              <Checkbox>{t('customers.primary')}</Checkbox>
            </Form.Item>
            <Form.Item name="left" valuePropName="checked" noStyle>
              <Checkbox>{t('customers.left')}</Checkbox>
            </Form.Item>
          </Space>
        </Form>
      </Modal>
      <Modal title={t('customers.addFollowup')} open={following} onOk={saveFollowup} onCancel={cancelFollowup} destroyOnHidden>
        <Form form={followForm} name="followup-form" layout="vertical" data-testid="followup-form">
          <Form.Item name="method" label={t('customers.method')} rules={[{ required: true }]}>
            <Select options={METHODS.map((m) => ({ value: m, label: t(`method.${m}`) }))} />
          </Form.Item>
          <Form.Item name="content" label={t('customers.content')} rules={[{ required: true, max: 4000 }]}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={4000} />
          </Form.Item>
          <Form.Item name="contactIds" label={t('customers.contacts')}>
            <Select mode="multiple" options={activeContacts.map((k) => ({ value: k.id, label: k.name }))} />
          </Form.Item>
          <Form.Item name="happenedAt" label={t('customers.happenedAt')}>
            <DatePicker showTime disabledDate={(x) => x.isAfter(dayjs())} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="nextAt" label={t('customers.nextAt')}>
            <DatePicker showTime disabledDate={(x) => x.isBefore(dayjs(), 'day')} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="nextStep" label={t('customers.nextStep')}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="attachments" label={t('attachments.title')}>
            <AttachmentUploader customerId={id} max={MAX_FOLLOWUP_FILES} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        title={t('customers.merge')}
        open={merging}
        okButtonProps={{ danger: true }}
        onOk={async () => {
          const v = await mergeForm.validateFields();
          try {
            await unwrap(api.POST('/api/v1/customers/{id}/merge', { params: { path: { id } }, body: { duplicateId: v.duplicateId } }));
            message.success(t('common.saved'));
            setMerging(false);
            refresh();
          } catch (e) {
            reportError(e, mergeForm);
          }
        }}
        onCancel={() => setMerging(false)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('customers.mergeHint', { name: c.name })}</Typography.Paragraph>
        <Form form={mergeForm} name="merge-form" layout="vertical">
          <Form.Item name="duplicateId" label={t('customers.mergeDuplicate')} rules={[{ required: true }]}>
            <CustomerPicker exclude={id} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal title={t('customers.returnToPool')} open={returning} onOk={returnToPool} onCancel={() => setReturning(false)} destroyOnHidden>
        <Form form={returnForm} name="return-form" layout="vertical" data-testid="return-form">
          <Form.Item name="poolId" label={t('customers.pool')} rules={[{ required: true }]}>
            <Select options={(pools.data ?? []).filter((p) => p.active).map((p) => ({ value: p.id, label: p.name }))} />
          </Form.Item>
          <Form.Item name="reason" label={t('customers.reason')} rules={[{ required: true, max: 200 }]}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

/** Picks a customer of the caller's by name (for a merge). */
function CustomerPicker({ value, onChange, exclude }: { value?: string; onChange?: (v: string) => void; exclude: string }) {
  return (
    <SearchSelect
      value={value}
      onChange={onChange}
      searchFirst
      placeholder={t('customers.search')}
      queryKey={['customers', 'pick']}
      search={async (q) => {
        const page = await unwrap(api.GET('/api/v1/customers', { params: { query: { q, pageSize: 20 } } }));
        return page.items.filter((x) => x.id !== exclude).map((x) => ({ value: x.id, label: `${x.name} · ${x.ownerName ?? ''}` }));
      }}
    />
  );
}

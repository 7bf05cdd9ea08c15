// 客户: the customers I may see (mine, my team's, those I collaborate on) with search and
// filters, a new-customer form that runs 查重 as you type, and transfer for managers.
import { useRef, useState } from 'react';
import { ProTable, type ActionType, type ProColumns, type ProFormInstance } from '@ant-design/pro-components';
import { App, Button, Drawer, Dropdown, Form, Input, Modal, Space, Tag, Tooltip, Typography } from 'antd';
import { LockOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import dayjs from 'dayjs';
import { api, ApiError, unwrap, type Schemas } from '../api/client';
import { currentLocale, t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { reportError } from '../lib/errors';
import { saveResponse } from '../lib/download';
import { LEVEL_COLOURS, countText, optionLabel, selectOptions, useCustomerOptions } from '../lib/customers';
import { CustomerForm, customerBody, type CustomerFormValues } from '../components/CustomerForm';
import { SearchSelect } from '../components/SearchSelect';
import { SavedViews, type SavedView } from '../components/SavedViews';
import { columnsOf, columnsStateOf, queryOf, stateOf, type ColumnsState, type ListState } from '../lib/views';
import { useIsPhone } from '../lib/layout';
import { shortDate } from '../lib/dates';
import { activeFields, columnKey, filterOf, paramsOf, useCustomFields, valueText, type FieldValue } from '../lib/customFields';

type Customer = Schemas['CustomerView'];

/** Server field names of the inline first contact, as the form names them. */
const CONTACT_FIELDS: Record<string, string> = { 'contacts[0].name': 'contactName', 'contacts[0].title': 'contactTitle', 'contacts[0].mobile': 'contactMobile' };

export const formatTime = (ms?: number | null) => (ms ? dayjs(ms).format('YYYY-MM-DD HH:mm') : '—');

export function UserPicker({ value, onChange, testId }: { value?: string; onChange?: (v: string) => void; testId?: string }) {
  return (
    <SearchSelect
      value={value}
      onChange={onChange}
      testId={testId}
      queryKey={['users', 'pick']}
      search={async (q) => {
        const page = await unwrap(api.GET('/api/v1/users', { params: { query: { q: q || undefined, active: true, pageSize: 20 } } }));
        return page.items.map((u) => ({ value: u.id, label: `${u.displayName} · ${u.unitName}` }));
      }}
    />
  );
}

export default function Customers({ me }: { me: Me }) {
  useLocale();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const table = useRef<ActionType>(null);
  const [form] = Form.useForm<CustomerFormValues>();
  const [transferForm] = Form.useForm<{ toUserId: string; reason: string }>();
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [transferring, setTransferring] = useState(false);
  const options = useCustomerOptions();
  const customFields = activeFields(useCustomFields().data);
  const canTransfer = can(me, 'customers.transfer');
  const phone = useIsPhone();
  // The filters of the list as last loaded: an export takes exactly these.
  const lastFilters = useRef<Record<string, unknown>>({});
  // Whether the last page's total was counted in full (a broad filter's is a lower bound).
  const [exact, setExact] = useState(true);
  // What a saved view stores and restores: the search form, the sort, the columns shown.
  const formRef = useRef<ProFormInstance>(undefined);
  const lastState = useRef<ListState>({ filters: {} });
  // A link (a home card, a notification) may open the list with its own filters and sort.
  const linkDue = searchParams.get('due');
  const linkSort = searchParams.get('sort');
  const fromLink = searchParams.has('due') || searchParams.has('forgotten');
  const viewSort = useRef<ListState['sort']>(
    linkSort === 'nextFollowupAt' || linkSort === 'lastFollowupAt' ? { field: linkSort, order: searchParams.get('order') === 'asc' ? 'asc' : 'desc' } : undefined,
  );
  const [columnsState, setColumnsState] = useState<ColumnsState>({});

  const exportAs = async (format: 'csv' | 'xlsx') => {
    try {
      const res = await fetch('/api/v1/customers/export', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': currentLocale() },
        body: JSON.stringify({ ...lastFilters.current, format }),
      });
      await saveResponse(res, `customers.${format}`);
    } catch (e) {
      reportError(e);
    }
  };

  const create = async () => {
    const v = await form.validateFields();
    try {
      const contacts = v.contactName?.trim() ? [{ name: v.contactName.trim(), title: v.contactTitle || null, mobile: v.contactMobile || null, isPrimary: true }] : [];
      const d = await unwrap(api.POST('/api/v1/customers', { body: { ...customerBody(v, customFields), contacts } }));
      message.success(t('common.saved'));
      setCreating(false);
      navigate(`/customers/${d.customer.id}`);
    } catch (e) {
      if (e instanceof ApiError) {
        for (const [from, to] of Object.entries(CONTACT_FIELDS)) {
          if (e.fields[from]) e.fields[to] = e.fields[from];
        }
      }
      reportError(e, form);
    }
  };

  const transfer = async () => {
    const v = await transferForm.validateFields();
    try {
      await unwrap(api.POST('/api/v1/customers/transfer', { body: { customerIds: selected, toUserId: v.toUserId, reason: v.reason } }));
      message.success(t('common.saved'));
      setTransferring(false);
      setSelected([]);
      table.current?.reload();
    } catch (e) {
      reportError(e, transferForm);
    }
  };

  // On a phone each customer is a card of what a rep needs: name, level, owner, last
  // follow-up and next contact; the other columns stay for wider screens.
  const card: ProColumns<Customer> = {
    title: t('customers.name'),
    dataIndex: 'card',
    search: false,
    render: (_, c) => (
      <div style={{ minWidth: 0 }} data-testid="customer-card">
        <Space size={6} wrap style={{ marginBottom: 4 }}>
          <Link to={`/customers/${c.id}`} data-testid="customer-name" style={{ fontWeight: 500, overflowWrap: 'anywhere' }}>
            {c.name}
          </Link>
          {c.levelCode && <Tag color={LEVEL_COLOURS[c.levelCode] ?? 'default'}>{optionLabel(options.data, 'level', c.levelCode)}</Tag>}
          {c.locked && <LockOutlined />}
        </Space>
        <div>
          <Typography.Text type="secondary">
            {c.ownerName ?? t('customers.inPoolShort')} · {t('customers.lastFollowup')} {shortDate(c.lastFollowupAt, false)}
          </Typography.Text>
        </div>
        {c.nextFollowupAt && (
          <Typography.Text type={c.nextFollowupAt < Date.now() ? 'danger' : undefined}>
            {t('customers.nextFollowup')} {shortDate(c.nextFollowupAt)}
          </Typography.Text>
        )}
      </div>
    ),
  };
  const columns: ProColumns<Customer>[] = [
    { title: t('common.search'), dataIndex: 'q', hideInTable: true, fieldProps: { placeholder: t('customers.search'), maxLength: 60 } },
    {
      title: t('customers.name'),
      dataIndex: 'name',
      search: false,
      fixed: 'left',
      render: (_, c) => (
        <Space size={4}>
          <Link to={`/customers/${c.id}`} data-testid="customer-name">
            {c.name}
          </Link>
          {c.locked && (
            <Tooltip title={t('customers.locked')}>
              <LockOutlined />
            </Tooltip>
          )}
        </Space>
      ),
    },
    {
      title: t('customers.level'),
      dataIndex: 'levelCode',
      valueType: 'select',
      fieldProps: { options: selectOptions(options.data, 'level') },
      render: (_, c) => (c.levelCode ? <Tag color={LEVEL_COLOURS[c.levelCode] ?? 'default'}>{optionLabel(options.data, 'level', c.levelCode)}</Tag> : '—'),
    },
    {
      title: t('customers.status'),
      dataIndex: 'statusCode',
      valueType: 'select',
      fieldProps: { options: selectOptions(options.data, 'status') },
      render: (_, c) => optionLabel(options.data, 'status', c.statusCode) || '—',
    },
    {
      title: t('customers.type'),
      dataIndex: 'typeCode',
      valueType: 'select',
      fieldProps: { options: selectOptions(options.data, 'type') },
      render: (_, c) => optionLabel(options.data, 'type', c.typeCode) || '—',
      responsive: ['lg'],
    },
    {
      title: t('customers.industry'),
      dataIndex: 'industryCode',
      valueType: 'select',
      fieldProps: { options: selectOptions(options.data, 'industry') },
      render: (_, c) => optionLabel(options.data, 'industry', c.industryCode) || '—',
      responsive: ['xl'],
    },
    { title: t('customers.owner'), dataIndex: 'ownerName', search: false, responsive: ['md'] },
    { title: t('customers.unit'), dataIndex: 'unitName', search: false, responsive: ['lg'] },
    { title: t('customers.primaryContact'), dataIndex: 'primaryContact', search: false, responsive: ['lg'], render: (_, c) => (c.primaryContact ? `${c.primaryContact} ${c.primaryMobile ?? ''}` : '—') },
    { title: t('customers.tags'), dataIndex: 'tag', search: false, responsive: ['xl'], render: (_, c) => c.tags.map((x) => <Tag key={x}>{x}</Tag>) },
    { title: t('customers.lastFollowup'), dataIndex: 'lastFollowupAt', search: false, sorter: true, render: (_, c) => formatTime(c.lastFollowupAt) },
    {
      title: t('customers.nextFollowup'),
      dataIndex: 'nextFollowupAt',
      search: false,
      sorter: true,
      responsive: ['md'],
      render: (_, c) => (c.nextFollowupAt ? <span style={{ color: c.nextFollowupAt < Date.now() ? '#cf1322' : undefined }}>{formatTime(c.nextFollowupAt)}</span> : '—'),
    },
    // The company's custom fields: a column each, and a search entry by kind.
    ...customFields.map((f): ProColumns<Customer> => {
      const picks = f.kind === 'select' || f.kind === 'multi_select';
      return {
        title: f.label,
        dataIndex: columnKey(f.code),
        responsive: ['xl'],
        valueType: picks ? 'select' : f.kind === 'number' ? 'digitRange' : f.kind === 'date' ? 'dateRange' : 'text',
        fieldProps: picks ? { options: f.options.map((o) => ({ value: o.code, label: o.label })), mode: f.kind === 'multi_select' ? 'multiple' : undefined } : { maxLength: 60 },
        render: (_, c) => valueText(f, c.customFields[f.code] as FieldValue) || '—',
      };
    }),
    {
      title: t('customers.filterDue'),
      dataIndex: 'due',
      hideInTable: true,
      valueType: 'select',
      initialValue: linkDue === 'true' || linkDue === 'today' || linkDue === 'overdue' ? linkDue : undefined,
      fieldProps: {
        options: [
          { value: 'true', label: t('customers.due') },
          { value: 'today', label: t('customers.dueToday') },
          { value: 'overdue', label: t('customers.overdue') },
        ],
      },
    },
    {
      title: t('customers.filterForgotten'),
      dataIndex: 'forgotten',
      hideInTable: true,
      valueType: 'select',
      // A notification of forgotten customers opens the list with this filter set.
      initialValue: searchParams.get('forgotten') === 'true' ? 'true' : undefined,
      fieldProps: { options: [{ value: 'true', label: t('customers.forgotten') }] },
    },
  ];

  const tableKeys = columns.filter((c) => !c.hideInTable).map((c) => String(c.dataIndex));
  const shown: ProColumns<Customer>[] = phone ? [card, ...columns.map((c) => ({ ...c, hideInTable: true }))] : columns;
  const applyView = (v: SavedView | null) => {
    const s = stateOf(v?.query ?? {});
    viewSort.current = s.sort;
    setColumnsState(columnsStateOf(v?.columns ?? [], tableKeys));
    formRef.current?.resetFields();
    const { cf, ...plain } = s.filters;
    formRef.current?.setFieldsValue({ ...plain, ...paramsOf(customFields, cf) });
    formRef.current?.submit();
  };

  const toolbarActions = () => [
    <SavedViews key="views" kind="customers" meId={me.id} canShare={can(me, 'customers.settings')} skipDefault={fromLink} current={() => ({ query: queryOf(lastState.current), columns: columnsOf(columnsState, tableKeys) })} onApply={applyView} />,
    canTransfer && selected.length > 0 && (
      <Button key="transfer" onClick={() => { transferForm.resetFields(); setTransferring(true); }} data-testid="customers-transfer">
        {t('customers.transferSelected', { n: selected.length })}
      </Button>
    ),
    can(me, 'customers.import') && (
      <Button key="import" onClick={() => navigate('/customers/import')} data-testid="customers-import">
        {t('imports.open')}
      </Button>
    ),
    can(me, 'customers.export') && (
      <Dropdown key="export" menu={{ items: [{ key: 'xlsx', label: 'Excel (XLSX)' }, { key: 'csv', label: 'CSV' }], onClick: ({ key }) => exportAs(key as 'csv' | 'xlsx') }}>
        <Button data-testid="customers-export">{t('customers.export')}</Button>
      </Dropdown>
    ),
    can(me, 'customers.create') && (
      <Button key="add" type="primary" onClick={() => { form.resetFields(); setCreating(true); }} data-testid="customers-add">
        {t('customers.add')}
      </Button>
    ),
  ];

  return (
    <>
      {phone && (
        <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="page-title">
          {t('customers.title')}
        </Typography.Title>
      )}
      <ProTable<Customer>
        headerTitle={phone ? undefined : <span data-testid="page-title">{t('customers.title')}</span>}
        actionRef={table}
        formRef={formRef}
        columnsState={{ value: columnsState, onChange: (v) => setColumnsState(v as ColumnsState) }}
        rowKey="id"
        columns={shown}
        scroll={phone ? undefined : { x: 'max-content' }}
        search={{ labelWidth: 'auto' }}
        pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (total) => t('customers.total', { n: countText(total, exact) }) }}
        options={phone ? { density: false, setting: false, reload: true, fullScreen: false } : { density: true, setting: true, reload: true, fullScreen: false }}
        rowSelection={canTransfer ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) } : undefined}
        tableAlertRender={false}
        request={async (params, sort) => {
          const picked = Object.entries(sort ?? {})[0];
          // A sort the user picks replaces the one a view opened with.
          if (picked) viewSort.current = undefined;
          const [field, order] = picked ?? (viewSort.current ? [viewSort.current.field, viewSort.current.order === 'asc' ? 'ascend' : 'descend'] : []);
          const sortField = field === 'lastFollowupAt' || field === 'nextFollowupAt' ? field : undefined;
          const sortOrder = order === 'ascend' ? 'asc' : order === 'descend' ? 'desc' : undefined;
          const filters = {
            q: params.q || undefined,
            levelCode: params.levelCode || undefined,
            statusCode: params.statusCode || undefined,
            typeCode: params.typeCode || undefined,
            industryCode: params.industryCode || undefined,
            due: params.due === 'true' || params.due === 'today' || params.due === 'overdue' ? (params.due as 'true' | 'today' | 'overdue') : undefined,
            forgotten: params.forgotten === 'true' ? true : undefined,
            cf: filterOf(customFields, params),
          };
          // An export takes exactly these filters; a saved view keeps them with the sort.
          lastFilters.current = filters;
          lastState.current = {
            filters: {
              ...(Object.fromEntries(Object.entries(params).filter(([k, v]) => k !== 'current' && k !== 'pageSize' && !k.startsWith('cf_') && typeof v === 'string')) as Record<string, string>),
              ...(filters.cf ? { cf: filters.cf } : {}),
            },
            sort: sortField ? { field: sortField, order: sortOrder ?? 'desc' } : undefined,
          };
          const page = await unwrap(
            api.GET('/api/v1/customers', {
              params: { query: { ...filters, sort: sortField, order: sortOrder, page: params.current, pageSize: params.pageSize } },
            }),
          );
          setExact(page.totalExact);
          return { data: page.items, total: page.total, success: true };
        }}
        // One wrapping group: on a phone the actions flow onto a second line instead of
        // pushing the page wider than the screen.
        toolBarRender={() => [
          <Space key="actions" wrap style={{ justifyContent: 'flex-end' }}>
            {toolbarActions()}
          </Space>,
        ]}
      />
      <Drawer
        title={t('customers.add')}
        open={creating}
        onClose={() => setCreating(false)}
        width={Math.min(720, typeof window === 'undefined' ? 720 : window.innerWidth)}
        destroyOnHidden
        extra={
          <Button type="primary" onClick={create} data-testid="customer-save">
            {t('common.save')}
          </Button>
        }
      >
        <CustomerForm form={form} withContact />
      </Drawer>
      <Modal title={t('customers.transfer')} open={transferring} onOk={transfer} onCancel={() => setTransferring(false)} destroyOnHidden>
        <Form form={transferForm} name="transfer-form" layout="vertical">
          <Form.Item name="toUserId" label={t('customers.transferTo')} rules={[{ required: true }]}>
            <UserPicker />
          </Form.Item>
          <Form.Item name="reason" label={t('customers.reason')} rules={[{ required: true, max: 200 }]}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

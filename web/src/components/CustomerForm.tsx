// The customer form (new and edit) with 查重 as you type: a moment after the name, credit
// code or a mobile changes, matches across the company are shown (masked outside your scope),
// the five most alike first, each with the reason it matched.
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Col, DatePicker, Form, Input, InputNumber, List, Row, Select, Tag, Typography, type FormInstance } from 'antd';
import dayjs from 'dayjs';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client';
import { t } from '../i18n';
import { DUPLICATES_SHOWN, matchExplanation, selectOptions, useCustomerOptions } from '../lib/customers';
import { activeFields, useCustomFields, valuesBody, type CustomField, type FieldValue } from '../lib/customFields';

export interface CustomerFormValues {
  name: string;
  shortName?: string;
  creditCode?: string;
  typeCode?: string;
  levelCode?: string;
  statusCode?: string;
  industryCode?: string;
  sourceCode?: string;
  province?: string;
  city?: string;
  district?: string;
  address?: string;
  notes?: string;
  tags?: string[];
  contactName?: string;
  contactTitle?: string;
  contactMobile?: string;
  /** Custom field values by code. */
  customFields?: Record<string, FieldValue>;
}

type Match = Schemas['DuplicateMatchView'];

/** Empty strings become null, so clearing a field clears it on the server. */
export function customerBody(v: CustomerFormValues, fields: CustomField[] = []): Schemas['CustomerBody'] {
  const s = (x?: string) => (x && x.trim() ? x.trim() : null);
  return {
    name: v.name.trim(),
    shortName: s(v.shortName),
    creditCode: s(v.creditCode),
    typeCode: s(v.typeCode),
    levelCode: s(v.levelCode),
    statusCode: s(v.statusCode),
    industryCode: s(v.industryCode),
    sourceCode: s(v.sourceCode),
    province: s(v.province),
    city: s(v.city),
    district: s(v.district),
    address: s(v.address),
    notes: s(v.notes),
    tags: v.tags ?? [],
    customFields: valuesBody(fields, v.customFields),
  };
}

/** One custom field's input, by its kind. Dates travel as YYYY-MM-DD text. */
function CustomFieldInput({ field, id, value, onChange }: { field: CustomField; id?: string; value?: FieldValue; onChange?: (v: FieldValue) => void }) {
  const options = field.options.filter((o) => o.active || (Array.isArray(value) ? value.includes(o.code) : value === o.code)).map((o) => ({ value: o.code, label: o.label }));
  switch (field.kind) {
    case 'number':
      return <InputNumber id={id} style={{ width: '100%' }} value={typeof value === 'number' ? value : value ? Number(value) : null} onChange={(n) => onChange?.(n ?? '')} maxLength={22} />;
    case 'date':
      return <DatePicker id={id} style={{ width: '100%' }} value={typeof value === 'string' && value ? dayjs(value) : null} onChange={(d) => onChange?.(d ? d.format('YYYY-MM-DD') : '')} />;
    case 'select':
      return <Select allowClear id={id} options={options} value={(value as string) || undefined} onChange={(v) => onChange?.(v ?? '')} />;
    case 'multi_select':
      return <Select mode="multiple" id={id} allowClear options={options} value={Array.isArray(value) ? value : []} onChange={(v) => onChange?.(v)} />;
    default:
      return <Input maxLength={200} id={id} value={(value as string) ?? ''} onChange={(e) => onChange?.(e.target.value)} />;
  }
}

export function CustomerForm({ form, excludeId, withContact }: { form: FormInstance<CustomerFormValues>; excludeId?: string; withContact?: boolean }) {
  const options = useCustomerOptions();
  const custom = activeFields(useCustomFields().data);
  const [matches, setMatches] = useState<Match[] | null>(null);
  const [showAll, setShowAll] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // Only the answer to the latest question is shown, however the requests race.
  const asked = useRef(0);

  const check = async () => {
    const v = form.getFieldsValue();
    const name = v.name?.trim();
    const creditCode = v.creditCode?.trim();
    const mobile = v.contactMobile?.trim();
    const ticket = ++asked.current;
    if ((!name || name.length < 2) && !creditCode && !mobile) return setMatches(null);
    try {
      const m = await unwrap(api.POST('/api/v1/customers/duplicate-check', { body: { name: name || null, creditCode: creditCode || null, mobiles: mobile ? [mobile] : [], excludeId: excludeId ?? null } }));
      if (ticket === asked.current) {
        setMatches(m);
        setShowAll(false);
      }
    } catch {
      if (ticket === asked.current) setMatches(null);
    }
  };
  /** 查重 as it is typed: 400 ms after the last keystroke. */
  const checkSoon = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void check(), 400);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  const shown = matches && (showAll ? matches : matches.slice(0, DUPLICATES_SHOWN));

  const select = (kind: 'type' | 'level' | 'status' | 'industry' | 'source') => <Select allowClear options={selectOptions(options.data, kind)} />;

  return (
    <Form form={form} name="customer-form" layout="vertical" data-testid="customer-form" requiredMark="optional">
      {matches && matches.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="dup-warning"
          style={{ marginBottom: 16 }}
          message={t('customers.dupTitle')}
          description={
            <>
              <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                {t('customers.dupHint')}
              </Typography.Paragraph>
              <List
                size="small"
                dataSource={shown ?? []}
                renderItem={(m) => (
                  <List.Item data-testid="dup-match" style={{ flexWrap: 'wrap', gap: 4 }}>
                    <span style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
                      {m.id ? <Link to={`/customers/${m.id}`}>{m.name}</Link> : m.name}
                      {m.ownerName && <Typography.Text type="secondary"> · {m.ownerName}</Typography.Text>}
                      {m.poolName && <Typography.Text type="secondary"> · {t('customers.inPool', { pool: m.poolName })}</Typography.Text>}
                      <br />
                      <Typography.Text type="secondary" data-testid="dup-why">
                        {matchExplanation(m)}
                      </Typography.Text>
                    </span>
                    <span>
                      {m.reasons.map((r) => (
                        <Tag key={r} color={r === 'similar_name' || r === 'same_core_name' ? 'gold' : 'red'}>
                          {t(`customers.dupReason.${r}`)}
                        </Tag>
                      ))}
                      {m.reasons.includes('similar_name') && <Typography.Text type="secondary">{Math.round(m.score * 100)}%</Typography.Text>}
                    </span>
                  </List.Item>
                )}
              />
              {matches.length > DUPLICATES_SHOWN && (
                <Button type="link" size="small" style={{ paddingInline: 0 }} data-testid="dup-more" onClick={() => setShowAll((v) => !v)}>
                  {showAll ? t('customers.dupFewer') : t('customers.dupMore', { n: matches.length - DUPLICATES_SHOWN })}
                </Button>
              )}
            </>
          }
        />
      )}
      <Row gutter={16}>
        <Col xs={24} md={16}>
          <Form.Item name="name" label={t('customers.name')} rules={[{ required: true, min: 2, max: 100 }]}>
            <Input maxLength={100} onChange={checkSoon} onBlur={check} autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name="shortName" label={t('customers.shortName')}>
            <Input maxLength={40} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="creditCode" label={t('customers.creditCode')}>
            <Input maxLength={30} onChange={checkSoon} autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="levelCode" label={t('customers.level')}>
            {select('level')}
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="statusCode" label={t('customers.status')}>
            {select('status')}
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name="typeCode" label={t('customers.type')}>
            {select('type')}
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name="industryCode" label={t('customers.industry')}>
            {select('industry')}
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name="sourceCode" label={t('customers.source')}>
            {select('source')}
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name="province" label={t('customers.province')}>
            <Input maxLength={20} />
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name="city" label={t('customers.city')}>
            <Input maxLength={20} />
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name="district" label={t('customers.district')}>
            <Input maxLength={20} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="address" label={t('customers.address')}>
            <Input maxLength={200} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="tags" label={t('customers.tags')}>
            <Select mode="tags" maxCount={20} tokenSeparators={[',', '，']} />
          </Form.Item>
        </Col>
        {custom.map((f) => (
          <Col key={f.code} xs={24} md={f.kind === 'text' || f.kind === 'multi_select' ? 24 : 12}>
            <Form.Item name={['customFields', f.code]} label={f.label} rules={f.required ? [{ required: true }] : undefined} data-testid={`custom-${f.code}`}>
              <CustomFieldInput field={f} />
            </Form.Item>
          </Col>
        ))}
        <Col span={24}>
          <Form.Item name="notes" label={t('customers.notes')}>
            <Input.TextArea maxLength={2000} autoSize={{ minRows: 2, maxRows: 6 }} />
          </Form.Item>
        </Col>
        {withContact && (
          <>
            <Col span={24}>
              <Typography.Text strong>{t('customers.firstContact')}</Typography.Text>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="contactName" label={t('customers.contactName')}>
                <Input maxLength={40} />
              </Form.Item>
            </Col>
            <Col xs={12} md={8}>
              <Form.Item name="contactTitle" label={t('customers.contactTitle')}>
                <Input maxLength={40} />
              </Form.Item>
            </Col>
            <Col xs={12} md={8}>
              <Form.Item name="contactMobile" label={t('customers.mobile')}>
                <Input maxLength={20} onChange={checkSoon} inputMode="tel" />
              </Form.Item>
            </Col>
          </>
        )}
      </Row>
    </Form>
  );
}

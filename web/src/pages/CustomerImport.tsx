// 导入客户: upload an Excel or CSV file, check which column is which field, validate it (a
// dry run that reports every bad row), download the error file to fix it, then import it
// all or nothing. Progress (rows done, rows per second) shows while the server works.
import { useCallback, useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Progress, Radio, Result, Select, Space, Statistic, Steps, Table, Typography, Upload, type TableColumnsType } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client';
import { currentLocale, t, useLocale } from '../i18n';
import { reportError } from '../lib/errors';
import { saveResponse } from '../lib/download';
import { postFile } from '../lib/upload';
import { columnLetter, importStep, isRunning } from '../lib/imports';
import { matchExplanation } from '../lib/customers';
import { UserPicker, formatTime } from './Customers';
import { ImportValues, type ValueMap } from '../components/ImportValues';

type Job = Schemas['ImportJobView'];
type Options = { mapping: (string | null)[]; mode: 'insert' | 'update' | 'upsert'; matchBy: 'creditCode' | 'name' | 'externalId'; defaultOwnerId?: string };

async function download(path: string, fallback: string) {
  await saveResponse(await fetch(path, { headers: { 'accept-language': currentLocale() } }), fallback);
}

type RowIssue = Schemas['ImportRowErrorView'];

/** A validation's errors or warnings: the row, the column (letter and header), then `extra`. */
function RowIssues({ testId, issues, headers, extra }: { testId: string; issues: RowIssue[]; headers: Job['headers']; extra: TableColumnsType<RowIssue> }) {
  return (
    <Table
      size="small"
      title={() => <Typography.Text type="secondary">{t('imports.rowHint')}</Typography.Text>}
      scroll={{ x: 'max-content' }}
      rowKey={(e) => `${e.row}-${e.column}-${e.code}`}
      dataSource={issues}
      pagination={{ pageSize: 10, size: 'small' }}
      data-testid={testId}
      columns={[
        {
          title: <span data-testid="import-row-heading">{t('imports.row')}</span>,
          dataIndex: 'row',
          width: 90,
        },
        { title: t('imports.column'), render: (_, e) => (e.column != null ? `${columnLetter(e.column)} · ${headers[e.column]?.text ?? ''}` : '—') },
        ...extra,
      ]}
    />
  );
}

export default function CustomerImport() {
  useLocale();
  const [jobId, setJobId] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const [form] = Form.useForm<Options>();
  const mapping = Form.useWatch('mapping', form);
  const [values, setValues] = useState<ValueMap>({});
  const onValues = useCallback((v: ValueMap) => setValues(v), []);

  const fields = useQuery({ queryKey: ['import-fields'], queryFn: () => unwrap(api.GET('/api/v1/customer-imports/fields')) });
  const job = useQuery({
    queryKey: ['import', jobId],
    enabled: !!jobId,
    queryFn: () => unwrap(api.GET('/api/v1/customer-imports/{id}', { params: { path: { id: jobId! } } })),
    refetchInterval: (q) => (q.state.data && isRunning(q.state.data.status) ? 300 : false),
  });
  const j = job.data;
  const zh = currentLocale() === 'zh-CN';

  const upload = async (file: File) => {
    setUploading(true);
    try {
      const created = await postFile<Job>(`/api/v1/customer-imports?fileName=${encodeURIComponent(file.name)}`, file);
      form.setFieldsValue({
        mapping: created.headers.map((h) => h.field ?? null),
        mode: created.options?.mode ?? 'insert',
        matchBy: created.options?.matchBy ?? 'creditCode',
        defaultOwnerId: undefined,
      });
      setJobId(created.id);
    } catch (e) {
      reportError(e);
    } finally {
      setUploading(false);
    }
    return false;
  };

  const start = async (run: boolean) => {
    const v = await form.validateFields();
    const body = { mapping: v.mapping.map((m) => m || null), mode: v.mode, matchBy: v.matchBy, defaultOwnerId: v.defaultOwnerId || null, values };
    try {
      const path = run ? '/api/v1/customer-imports/{id}/run' : '/api/v1/customer-imports/{id}/validate';
      await unwrap(api.POST(path, { params: { path: { id: jobId! } }, body }));
      await job.refetch();
    } catch (e) {
      reportError(e, form);
    }
  };

  const reset = () => {
    setJobId(null);
    form.resetFields();
  };

  const step = importStep(j?.status);
  const result = j?.result;
  const running = j && isRunning(j.status);
  const fieldLabel = (key: string) => {
    const f = (fields.data ?? []).find((x) => x.key === key);
    return f ? (zh ? f.labelZh : f.labelEn) : key;
  };
  const fieldOptions = [
    { value: '', label: t('imports.skip') },
    ...(fields.data ?? []).map((f) => ({ value: f.key, label: `${zh ? f.labelZh : f.labelEn}${f.required ? ' *' : ''}` })),
  ];

  return (
    <Card title={<span data-testid="page-title">{t('imports.title')}</span>} data-testid="import-page">
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 24 }}
        items={[{ title: t('imports.stepUpload') }, { title: t('imports.stepMap') }, { title: t('imports.stepCheck') }, { title: t('imports.stepImport') }]}
      />
      {!j && (
        <Space direction="vertical" style={{ width: '100%' }} size="large">
          <Upload.Dragger accept=".xlsx,.csv,.txt" showUploadList={false} beforeUpload={upload} disabled={uploading} data-testid="import-upload">
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p>{uploading ? t('imports.uploading') : t('imports.drop')}</p>
            <p style={{ color: '#888' }}>{t('imports.dropHint')}</p>
          </Upload.Dragger>
          <Space wrap>
            <Button icon={<DownloadOutlined />} onClick={() => download('/api/v1/customer-imports/template?format=xlsx', 'template.xlsx').catch(reportError)} data-testid="import-template">
              {t('imports.template')} (XLSX)
            </Button>
            <Button onClick={() => download('/api/v1/customer-imports/template?format=csv', 'template.csv').catch(reportError)}>{t('imports.template')} (CSV)</Button>
          </Space>
          <Typography.Text type="secondary">{t('imports.allOrNothing')}</Typography.Text>
        </Space>
      )}
      {j && (
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Descriptions size="small" column={{ xs: 1, sm: 3 }}>
            <Descriptions.Item label={t('imports.file')}>{j.fileName}</Descriptions.Item>
            <Descriptions.Item label={t('imports.rows')}>
              <span data-testid="import-total">{j.totalRows}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('imports.column')}>{t('imports.headerRow', { n: j.headerRow })}</Descriptions.Item>
          </Descriptions>
          {j.earlierImport && j.status !== 'imported' && <Alert type="info" showIcon message={t('imports.earlier', { time: formatTime(j.earlierImport.importedAt), name: j.earlierImport.fileName })} />}
          <Form form={form} layout="vertical" name="import-form" disabled={!!running || j.status === 'imported'} data-testid="import-form">
            <Table
              size="small"
              rowKey="index"
              pagination={false}
              scroll={{ x: 'max-content' }}
              dataSource={j.headers}
              columns={[
                { title: t('imports.column'), render: (_, h) => `${columnLetter(h.index)} · ${h.parent ? `${h.parent} / ` : ''}${h.text}` },
                { title: t('imports.sample'), render: (_, h) => <Typography.Text type="secondary">{j.samples[0]?.[h.index] ?? ''}</Typography.Text>, responsive: ['md'] },
                {
                  title: t('imports.field'),
                  render: (_, h) => (
                    <Form.Item name={['mapping', h.index]} noStyle>
                      <Select style={{ minWidth: 180 }} options={fieldOptions} showSearch optionFilterProp="label" data-testid={`import-map-${h.index}`} />
                    </Form.Item>
                  ),
                },
              ]}
            />
            {mapping && (
              <div style={{ marginTop: 16 }}>
                <ImportValues jobId={j.id} mapping={mapping.map((m) => m || null)} fieldLabel={fieldLabel} disabled={!!running || j.status === 'imported'} onChange={onValues} />
              </div>
            )}
            <Space wrap size="large" style={{ marginTop: 16 }} align="start">
              <Form.Item name="mode" label={t('imports.mode')} rules={[{ required: true }]}>
                <Radio.Group
                  data-testid="import-mode"
                  options={(['insert', 'upsert', 'update'] as const).map((m) => ({ value: m, label: t(`imports.mode.${m}`) }))}
                />
              </Form.Item>
              <Form.Item name="matchBy" label={t('imports.matchBy')} rules={[{ required: true }]}>
                <Select style={{ minWidth: 240 }} options={(['creditCode', 'name', 'externalId'] as const).map((m) => ({ value: m, label: t(`imports.matchBy.${m}`) }))} />
              </Form.Item>
              <Form.Item name="defaultOwnerId" label={t('imports.defaultOwner')} extra={t('imports.defaultOwnerHint')}>
                <UserPicker />
              </Form.Item>
            </Space>
          </Form>
          {running && (
            <div data-testid="import-progress">
              <Typography.Text>{j.status === 'importing' ? t('imports.importing') : t('imports.validating')}</Typography.Text>
              <Progress percent={j.totalRows ? Math.floor(((j.progress?.rowsDone ?? 0) * 100) / j.totalRows) : 0} status="active" />
              <Typography.Text type="secondary">
                {t('imports.progress', { done: j.progress?.rowsDone ?? 0, total: j.totalRows, rate: j.progress?.rowsPerSecond ?? 0 })}
              </Typography.Text>
            </div>
          )}
          {result && !running && (
            <>
              {j.status === 'imported' && (
                <div data-testid="import-done">
                  <Result status="success" title={t('imports.done')} />
                </div>
              )}
              {j.status === 'validated' && <Alert type="success" showIcon message={t('imports.valid')} data-testid="import-valid" />}
              {j.status === 'invalid' && <Alert type="error" showIcon message={t('imports.invalid', { n: result.errorRows })} data-testid="import-invalid" />}
              {j.status === 'failed' && <Alert type="error" showIcon message={t('imports.failed')} description={result.fileErrorMessage} />}
              {j.status === 'interrupted' && <Alert type="warning" showIcon message={t('imports.interrupted')} />}
              <Space wrap size="large">
                <Statistic title={t('imports.created')} value={result.created} />
                <Statistic title={t('imports.updated')} value={result.updated} />
                <Statistic title={t('imports.unchanged')} value={result.unchanged} />
                <Statistic title={t('imports.contactsAdded')} value={result.contactsAdded} />
                <Statistic title={t('imports.contactsUpdated')} value={result.contactsUpdated} />
                <Statistic title={t('imports.errorRows')} value={result.errorRows} valueStyle={result.errorRows ? { color: '#cf1322' } : undefined} />
              </Space>
              {result.errors.length > 0 && (
                <RowIssues
                  testId="import-errors"
                  issues={result.errors}
                  headers={j.headers}
                  extra={[{ title: t('imports.problem'), render: (_, e) => `${e.message}${e.otherRow ? t('imports.otherRow', { n: e.otherRow }) : ''}` }]}
                />
              )}
              {result.warningCount > 0 && (
                <>
                  <Alert type="warning" message={`${t('imports.warnings')}: ${result.warningCount}`} description={t('imports.warningsHint')} />
                  <RowIssues
                    testId="import-warnings"
                    issues={result.warnings}
                    headers={j.headers}
                    extra={[
                      { title: t('imports.problem'), dataIndex: 'message' },
                      {
                        title: t('imports.similarTo'),
                        render: (_, w) =>
                          w.similar ? (
                            <Space size={4}>
                              {w.similar.customerId ? <Link to={`/customers/${w.similar.customerId}`}>{w.similar.name}</Link> : <span>{w.similar.name}</span>}
                              <Typography.Text type="secondary">
                                {matchExplanation({ reasons: [w.similar.sameCore ? 'same_core_name' : 'similar_name'], shared: w.similar.shared })} {Math.round(w.similar.score * 100)}%
                              </Typography.Text>
                            </Space>
                          ) : (
                            '—'
                          ),
                      },
                    ]}
                  />
                </>
              )}
            </>
          )}
          <Space wrap>
            {j.status !== 'imported' && (
              <Button onClick={() => start(false)} disabled={!!running} data-testid="import-validate">
                {t('imports.validate')}
              </Button>
            )}
            {j.status === 'validated' && (
              <Button type="primary" onClick={() => start(true)} data-testid="import-run">
                {t('imports.run')}
              </Button>
            )}
            {j.status === 'invalid' && (
              <Button icon={<DownloadOutlined />} onClick={() => download(`/api/v1/customer-imports/${j.id}/errors`, 'errors.xlsx').catch(reportError)} data-testid="import-error-file">
                {t('imports.errorFile')}
              </Button>
            )}
            {j.status === 'imported' && (
              <Link to="/customers">
                <Button type="primary">{t('imports.toCustomers')}</Button>
              </Link>
            )}
            <Button onClick={reset} disabled={!!running} data-testid="import-again">
              {j.status === 'imported' ? t('imports.again') : t('imports.back')}
            </Button>
          </Space>
        </Space>
      )}
    </Card>
  );
}

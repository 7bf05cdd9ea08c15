// 区域设计: scenarios side by side with their figures; one scenario on a map coloured by
// territory, its territories with fairness and compensation; move and lock units, optimise,
// and apply with a preview of who gains and loses which units and customers.
import { useMemo, useState } from 'react';
import { App, Badge, Button, Card, Col, Descriptions, Empty, Form, Input, InputNumber, Modal, Progress, Row, Select, Space, Spin, Switch, Table, Tag, Typography } from 'antd';
import { LockOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { reportError } from '../lib/errors';
import { percent, signedPercent, territoryColour } from '../lib/territory';
import { PageHeader } from '../components/PageHeader';
import { TerritoryMap } from '../components/TerritoryMap';
import { UserPicker } from './Customers';

type Summary = Schemas['ScenarioSummaryView'];
type Detail = Schemas['ScenarioDetailView'];
type Territory = Schemas['TerritoryView'];
type Preview = Schemas['ApplyPreviewView'];
type NewScenario = { name: string; k?: number; balance: 'potential' | 'workload' | 'both'; seed?: number; fromCurrent: boolean };
type TerritoryForm = { label: string; ownerId?: string; compensation: number };

const km = (v: number) => `${v.toFixed(1)} km`;

export default function Territory() {
  useLocale();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const scenarios = useQuery({ queryKey: ['territory', 'scenarios'], queryFn: () => unwrap(api.GET('/api/v1/territory/scenarios')) });
  const units = useQuery({ queryKey: ['territory', 'units'], queryFn: () => unwrap(api.GET('/api/v1/territory/units')) });
  const geojson = useQuery({ queryKey: ['territory', 'map'], queryFn: () => unwrap(api.GET('/api/v1/territory/map')), staleTime: Infinity });
  const [chosen, setChosen] = useState<string>();
  const current = chosen ?? scenarios.data?.[0]?.id;
  const detail = useQuery({
    queryKey: ['territory', 'scenario', current],
    queryFn: () => unwrap(api.GET('/api/v1/territory/scenarios/{id}', { params: { path: { id: current! } } })),
    enabled: !!current,
  });
  const [selectedUnit, setSelectedUnit] = useState<string>();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Territory | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  const [createForm] = Form.useForm<NewScenario>();
  const [territoryForm] = Form.useForm<TerritoryForm>();
  const [applyForm] = Form.useForm<{ reason: string }>();

  const s = detail.data;
  const draft = s?.status === 'draft';
  const unitNames = useMemo(() => new Map((units.data ?? []).map((u) => [u.code, u])), [units.data]);
  const labels = useMemo(() => (s?.territories ?? []).map((x) => x.label), [s]);
  const colours = useMemo(() => (s?.territories ?? []).map((x) => x.colour), [s]);
  const mapUnits = useMemo(
    () => (s?.units ?? []).map((u) => ({ code: u.code, name: unitNames.get(u.code)?.name ?? u.code, territory: u.territory, locked: u.locked })),
    [s, unitNames],
  );
  const placed = s?.units.find((u) => u.code === selectedUnit);

  const show = (d: Detail) => {
    qc.setQueryData(['territory', 'scenario', d.id], d);
    qc.invalidateQueries({ queryKey: ['territory', 'scenarios'] });
  };

  const create = async () => {
    const v = await createForm.validateFields();
    setBusy(true);
    try {
      const d = await unwrap(api.POST('/api/v1/territory/scenarios', { body: { ...v, k: v.fromCurrent ? undefined : v.k } }));
      show(d);
      setChosen(d.id);
      setCreating(false);
      message.success(t('territory.created'));
    } catch (e) {
      reportError(e, createForm);
    } finally {
      setBusy(false);
    }
  };

  const optimise = async () => {
    if (!s) return;
    setBusy(true);
    try {
      show(await unwrap(api.POST('/api/v1/territory/scenarios/{id}/optimise', { params: { path: { id: s.id }, header: ifMatch(s.version) } })));
      message.success(t('territory.optimised'));
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(false);
    }
  };

  const place = async (body: Schemas['PlaceBody']) => {
    if (!s || !selectedUnit) return;
    try {
      show(await unwrap(api.PUT('/api/v1/territory/scenarios/{id}/units/{code}', { params: { path: { id: s.id, code: selectedUnit } }, body })));
    } catch (e) {
      reportError(e);
    }
  };

  const saveTerritory = async () => {
    const v = await territoryForm.validateFields();
    if (!s || !editing) return;
    try {
      show(await unwrap(api.PUT('/api/v1/territory/scenarios/{id}/territories/{idx}', { params: { path: { id: s.id, idx: editing.idx } }, body: { ...v, ownerId: v.ownerId ?? null } })));
      setEditing(null);
    } catch (e) {
      reportError(e, territoryForm);
    }
  };

  const openPreview = async () => {
    if (!s) return;
    try {
      applyForm.resetFields();
      setPreview(await unwrap(api.GET('/api/v1/territory/scenarios/{id}/apply-preview', { params: { path: { id: s.id } } })));
    } catch (e) {
      reportError(e);
    }
  };

  const apply = async () => {
    const v = await applyForm.validateFields();
    if (!s) return;
    setBusy(true);
    try {
      const done = await unwrap(api.POST('/api/v1/territory/scenarios/{id}/apply', { params: { path: { id: s.id }, header: ifMatch(s.version) }, body: v }));
      message.success(t('territory.applied', { units: done.unitsMoved, customers: done.customersMoved }));
      setPreview(null);
      qc.invalidateQueries({ queryKey: ['territory'] });
    } catch (e) {
      reportError(e, applyForm);
    } finally {
      setBusy(false);
    }
  };

  const fromCustomers = () =>
    modal.confirm({
      title: t('territory.fromCustomers'),
      content: t('territory.fromCustomersHint'),
      onOk: async () => {
        try {
          const r = await unwrap(api.POST('/api/v1/territory/units/figures-from-customers'));
          message.success(t('territory.fromCustomersDone', { units: r.unitsWithCustomers, customers: r.customers }));
          qc.invalidateQueries({ queryKey: ['territory'] });
        } catch (e) {
          reportError(e);
        }
      },
    });

  const remove = async (id: string) => {
    try {
      await unwrap(api.DELETE('/api/v1/territory/scenarios/{id}', { params: { path: { id } } }));
      if (id === current) setChosen(undefined);
      qc.invalidateQueries({ queryKey: ['territory', 'scenarios'] });
    } catch (e) {
      reportError(e);
    }
  };

  if (scenarios.isLoading || units.isLoading) return <Spin />;
  const noUnits = (units.data?.length ?? 0) === 0;

  const scenarioColumns = [
    {
      title: t('territory.scenario'),
      dataIndex: 'name',
      render: (_: unknown, x: Summary) => (
        <a onClick={() => setChosen(x.id)} data-testid="scenario-open">
          {x.id === current ? <Typography.Text strong>{x.name}</Typography.Text> : x.name}
        </a>
      ),
    },
    { title: t('territory.k'), dataIndex: 'k' },
    { title: t('territory.balance'), dataIndex: 'balance', render: (b: string) => t(`territory.balance.${b}`), responsive: ['md' as const] },
    { title: t('territory.status'), dataIndex: 'status', render: (v: string) => <Tag color={v === 'applied' ? 'green' : 'blue'}>{t(`territory.status.${v}`)}</Tag> },
    { title: t('territory.maxPotentialDeviation'), render: (_: unknown, x: Summary) => percent(x.figures.potentialMaxDeviation) },
    { title: t('territory.maxWorkloadDeviation'), render: (_: unknown, x: Summary) => percent(x.figures.workloadMaxDeviation), responsive: ['md' as const] },
    { title: t('territory.distance'), render: (_: unknown, x: Summary) => km(x.figures.meanDistanceKm), responsive: ['lg' as const] },
    { title: t('territory.compactness'), render: (_: unknown, x: Summary) => x.figures.meanPolsbyPopper?.toFixed(3) ?? '—', responsive: ['lg' as const] },
    { title: t('territory.contiguous'), render: (_: unknown, x: Summary) => (x.figures.contiguous ? t('common.yes') : <Tag color="red">{t('common.no')}</Tag>), responsive: ['lg' as const] },
    { title: t('territory.unitsMoved'), render: (_: unknown, x: Summary) => x.figures.unitsMoved },
    { title: t('territory.fairness'), render: (_: unknown, x: Summary) => x.figures.fairness.toFixed(1) },
    {
      title: t('common.actions'),
      render: (_: unknown, x: Summary) => x.status === 'draft' && <a onClick={() => remove(x.id)}>{t('common.delete')}</a>,
    },
  ];

  const territoryColumns = [
    {
      title: t('territory.territory'),
      dataIndex: 'label',
      render: (_: unknown, x: Territory) => (
        <Space>
          <Badge color={territoryColour(x.colour)} />
          {x.label}
          {!x.contiguous && <Tag color="red">{t('territory.notContiguous')}</Tag>}
          {x.oversized && <Tag>{t('territory.oversized')}</Tag>}
        </Space>
      ),
    },
    { title: t('territory.owner'), dataIndex: 'ownerName', render: (v: string | null) => v ?? <Typography.Text type="warning">{t('territory.noOwner')}</Typography.Text> },
    { title: t('territory.units'), dataIndex: 'units', responsive: ['md' as const] },
    { title: t('territory.potential'), render: (_: unknown, x: Territory) => `${Math.round(x.potential)} (${signedPercent(x.potentialDeviation, 1)})` },
    { title: t('territory.workload'), render: (_: unknown, x: Territory) => `${Math.round(x.workload)} (${signedPercent(x.workloadDeviation, 1)})`, responsive: ['lg' as const] },
    { title: t('territory.fairness'), render: (_: unknown, x: Territory) => <Progress percent={Math.round(x.fairness)} size="small" style={{ width: 90 }} status={x.fairness < 90 ? 'exception' : 'normal'} /> },
    { title: t('territory.distance'), render: (_: unknown, x: Territory) => km(x.meanDistanceKm), responsive: ['lg' as const] },
    {
      title: t('territory.compensation'),
      render: (_: unknown, x: Territory) => (
        <span>
          {x.compensation.toFixed(2)}
          {x.suggestedCompensation !== x.compensation && <Typography.Text type="secondary"> ({t('territory.suggested')} {x.suggestedCompensation.toFixed(2)})</Typography.Text>}
        </span>
      ),
      responsive: ['md' as const],
    },
    {
      title: t('common.actions'),
      render: (_: unknown, x: Territory) =>
        draft && (
          <a
            data-testid="territory-edit"
            onClick={() => {
              territoryForm.setFieldsValue({ label: x.label, ownerId: x.ownerId ?? undefined, compensation: x.compensation });
              setEditing(x);
            }}
          >
            {t('common.edit')}
          </a>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('territory.title')}
        actions={
          <>
            <Button disabled={noUnits} onClick={fromCustomers} data-testid="figures-from-customers">
              {t('territory.fromCustomers')}
            </Button>
            <Button
              type="primary"
              disabled={noUnits}
              data-testid="scenario-new"
              onClick={() => {
                createForm.resetFields();
                createForm.setFieldsValue({ balance: 'potential', fromCurrent: false, k: Math.min(20, units.data?.length ?? 2) });
                setCreating(true);
              }}
            >
              {t('territory.new')}
            </Button>
          </>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        {noUnits ? (
          <Empty description={t('territory.noUnits')} />
        ) : (scenarios.data?.length ?? 0) === 0 ? (
          <Empty description={t('territory.noScenarios')} />
        ) : (
          <Table<Summary> rowKey="id" size="small" pagination={false} scroll={{ x: 'max-content' }} columns={scenarioColumns} dataSource={scenarios.data} data-testid="scenario-table" />
        )}
      </Card>
      {s && (
        <Card
          title={
            <Space wrap>
              {s.name}
              <Tag color={draft ? 'blue' : 'green'}>{t(`territory.status.${s.status}`)}</Tag>
            </Space>
          }
        >
          {draft && (
            <Space wrap style={{ marginBottom: 12 }}>
              <Button onClick={optimise} loading={busy} data-testid="scenario-optimise">
                {t('territory.optimise')}
              </Button>
              <Button type="primary" onClick={openPreview} data-testid="scenario-apply">
                {t('territory.apply')}
              </Button>
            </Space>
          )}
          <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }} style={{ marginBottom: 12 }}>
            <Descriptions.Item label={t('territory.maxPotentialDeviation')}>
              <span data-testid="figure-potential">{percent(s.figures.potentialMaxDeviation)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('territory.maxWorkloadDeviation')}>{percent(s.figures.workloadMaxDeviation)}</Descriptions.Item>
            <Descriptions.Item label={t('territory.distance')}>{km(s.figures.meanDistanceKm)}</Descriptions.Item>
            <Descriptions.Item label={t('territory.unitsMoved')}>
              {s.figures.unitsMoved}
              {s.figures.presentPotentialMaxDeviation != null && (
                <Typography.Text type="secondary">
                  {' '}
                  {t('territory.presentDeviation', { deviation: percent(s.figures.presentPotentialMaxDeviation, 1) })}
                </Typography.Text>
              )}
            </Descriptions.Item>
          </Descriptions>
          <Row gutter={16}>
            <Col xs={24} lg={14}>
              {geojson.data ? (
                <TerritoryMap geojson={geojson.data} units={mapUnits} labels={labels} colours={colours} selected={selectedUnit} onSelect={setSelectedUnit} />
              ) : (
                <Spin />
              )}
            </Col>
            <Col xs={24} lg={10}>
              <Card size="small" title={t('territory.unit')} style={{ marginBottom: 12 }}>
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Select
                    showSearch
                    allowClear
                    data-testid="unit-select"
                    placeholder={t('territory.pickUnit')}
                    value={selectedUnit}
                    onChange={setSelectedUnit}
                    optionFilterProp="label"
                    style={{ width: '100%' }}
                    options={(units.data ?? []).map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }))}
                  />
                  {placed && (
                    <>
                      <Typography.Text type="secondary">
                        {t('territory.potential')} {Math.round(unitNames.get(placed.code)?.potential ?? 0)} · {t('territory.workload')} {Math.round(unitNames.get(placed.code)?.workload ?? 0)} · {t('territory.ownerNow')}{' '}
                        {unitNames.get(placed.code)?.ownerName ?? '—'}
                      </Typography.Text>
                      <Space wrap>
                        <Select
                          data-testid="unit-territory"
                          disabled={!draft}
                          value={placed.territory}
                          style={{ minWidth: 160 }}
                          onChange={(v) => place({ territory: v })}
                          options={labels.map((l, i) => ({ value: i, label: <Space><Badge color={territoryColour(colours[i] ?? i)} />{l}</Space> }))}
                        />
                        <Switch
                          data-testid="unit-lock"
                          disabled={!draft}
                          checked={placed.locked}
                          onChange={(locked) => place({ locked })}
                          checkedChildren={<LockOutlined />}
                          unCheckedChildren={t('territory.lock')}
                        />
                      </Space>
                    </>
                  )}
                </Space>
              </Card>
            </Col>
          </Row>
          <Table<Territory>
            rowKey="idx"
            size="small"
            style={{ marginTop: 12 }}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={territoryColumns}
            dataSource={s.territories}
            data-testid="territory-table"
          />
        </Card>
      )}

      <Modal title={t('territory.new')} open={creating} onOk={create} confirmLoading={busy} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form form={createForm} name="scenario-form" layout="vertical">
          <Form.Item name="name" label={t('territory.scenarioName')} rules={[{ required: true, max: 60 }]}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name="fromCurrent" label={t('territory.fromCurrent')} valuePropName="checked" extra={t('territory.fromCurrentHint')}>
            <Switch />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a, b) => a.fromCurrent !== b.fromCurrent}>
            {({ getFieldValue }) =>
              !getFieldValue('fromCurrent') && (
                <Form.Item name="k" label={t('territory.k')} rules={[{ required: true }]}>
                  <InputNumber min={2} max={Math.min(500, units.data?.length ?? 2)} />
                </Form.Item>
              )
            }
          </Form.Item>
          <Form.Item name="balance" label={t('territory.balance')} rules={[{ required: true }]}>
            <Select options={['potential', 'workload', 'both'].map((b) => ({ value: b, label: t(`territory.balance.${b}`) }))} />
          </Form.Item>
          <Form.Item name="seed" label={t('territory.seed')} extra={t('territory.seedHint')}>
            <InputNumber min={0} max={1000000} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal title={editing ? `${t('territory.territory')} ${editing.label}` : ''} open={editing !== null} onOk={saveTerritory} onCancel={() => setEditing(null)} destroyOnHidden>
        <Form form={territoryForm} name="territory-form" layout="vertical">
          <Form.Item name="label" label={t('territory.label')} rules={[{ required: true, max: 40 }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="ownerId" label={t('territory.owner')}>
            <UserPicker testId="territory-owner" />
          </Form.Item>
          <Form.Item name="compensation" label={t('territory.compensation')} rules={[{ required: true }]} extra={t('territory.compensationHint')}>
            <InputNumber min={0.5} max={3} step={0.05} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        title={t('territory.applyTitle')}
        open={preview !== null}
        onOk={apply}
        okButtonProps={{ disabled: (preview?.territoriesWithoutOwner.length ?? 0) > 0, id: 'apply-confirm' }}
        confirmLoading={busy}
        onCancel={() => setPreview(null)}
        width={720}
        destroyOnHidden
      >
        {preview && (
          <Space direction="vertical" style={{ width: '100%' }}>
            {preview.territoriesWithoutOwner.length > 0 && (
              <Typography.Text type="danger">{t('territory.needOwners', { list: preview.territoriesWithoutOwner.join('、') })}</Typography.Text>
            )}
            <Typography.Text data-testid="apply-summary">{t('territory.applySummary', { units: preview.unitsMoved, customers: preview.customersMoved })}</Typography.Text>
            <Table
              rowKey="userId"
              size="small"
              pagination={false}
              dataSource={preview.reps}
              columns={[
                { title: t('territory.owner'), dataIndex: 'name' },
                { title: t('territory.unitsGained'), dataIndex: 'unitsGained' },
                { title: t('territory.unitsLost'), dataIndex: 'unitsLost' },
                { title: t('territory.customersGained'), dataIndex: 'customersGained' },
                { title: t('territory.customersLost'), dataIndex: 'customersLost' },
              ]}
            />
            <Typography.Text type="secondary">{t('territory.applyNote')}</Typography.Text>
            <Form form={applyForm} name="apply-form" layout="vertical">
              <Form.Item name="reason" label={t('territory.reason')} rules={[{ required: true, max: 200 }]}>
                <Input maxLength={200} />
              </Form.Item>
            </Form>
          </Space>
        )}
      </Modal>
    </>
  );
}

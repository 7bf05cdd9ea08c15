// 组织架构: the unit tree on the left, the selected unit on the right with its people;
// create, rename, move (with a preview of what moves) and delete.
import { useMemo, useState } from 'react';
import { App, Button, Card, Col, Descriptions, Empty, Form, Input, InputNumber, Modal, Row, Select, Space, Table, Tabs, Tree, TreeSelect } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { t, useLocale } from '../i18n';
import { can, type Me } from '../lib/permissions';
import { buildTree, moveTargets, type Unit } from '../lib/tree';
import { reportError } from '../lib/errors';
import { Positions } from './Positions';
import { PageHeader } from '../components/PageHeader';

const KINDS: Schemas['OrgUnitKind'][] = ['region', 'branch', 'team', 'department'];
const BASES: Schemas['OrganisingBasis'][] = ['territory', 'product_line', 'customer_segment', 'channel', 'function'];

interface UnitForm {
  name: string;
  kind: Schemas['OrgUnitKind'];
  basis: Schemas['OrganisingBasis'];
  sortOrder: number;
}

export default function Org({ me }: { me: Me }) {
  useLocale();
  const qc = useQueryClient();
  const { modal, message } = App.useApp();
  const units = useQuery({ queryKey: ['units'], queryFn: () => unwrap(api.GET('/api/v1/org/units')), enabled: can(me, 'org.view') });
  const [selectedId, setSelectedId] = useState<string>();
  const [editing, setEditing] = useState<'create' | 'edit' | null>(null);
  const [moving, setMoving] = useState(false);
  const [moveTo, setMoveTo] = useState<string>();
  const [form] = Form.useForm<UnitForm>();
  const manage = can(me, 'org.manage');
  const tree = useMemo(() => buildTree(units.data ?? []), [units.data]);
  const selected = units.data?.find((u) => u.id === selectedId) ?? units.data?.[0];
  const members = useQuery({
    queryKey: ['users', 'unit', selected?.id],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { unitId: selected!.id, pageSize: 50 } } })),
    enabled: !!selected && can(me, 'people.view'),
  });

  if (!can(me, 'org.view')) return <Empty description={t('empty.noPermission')} />;
  const refresh = () => qc.invalidateQueries({ queryKey: ['units'] });

  const openForm = (mode: 'create' | 'edit') => {
    form.resetFields();
    if (mode === 'edit' && selected) form.setFieldsValue({ name: selected.name, kind: selected.kind as Schemas['OrgUnitKind'], basis: selected.basis as Schemas['OrganisingBasis'], sortOrder: selected.sortOrder });
    else form.setFieldsValue({ kind: 'team', basis: selected?.basis === 'function' ? 'function' : 'territory', sortOrder: 0 });
    setEditing(mode);
  };

  const save = async () => {
    const v = await form.validateFields();
    try {
      if (editing === 'create' && selected) {
        const u = await unwrap(api.POST('/api/v1/org/units', { body: { parentId: selected.id, ...v } }));
        setSelectedId(u.id);
      } else if (selected) {
        await unwrap(api.PUT('/api/v1/org/units/{id}', { params: { path: { id: selected.id }, header: ifMatch(selected.version) }, body: v }));
      }
      message.success(t('common.saved'));
      setEditing(null);
      refresh();
    } catch (e) {
      reportError(e, form);
    }
  };

  const confirmMove = async () => {
    if (!selected || !moveTo) return;
    try {
      const p = await unwrap(api.GET('/api/v1/org/units/{id}/move-preview', { params: { path: { id: selected.id }, query: { newParentId: moveTo } } }));
      modal.confirm({
        title: t('org.moveConfirmTitle'),
        content: t('org.moveConfirm', { unit: p.unitName, from: p.fromParent ?? '—', to: p.toParent, units: p.units, people: p.people }),
        onOk: async () => {
          try {
            await unwrap(api.POST('/api/v1/org/units/{id}/move', { params: { path: { id: selected.id }, header: ifMatch(selected.version) }, body: { newParentId: moveTo } }));
            message.success(t('common.saved'));
            setMoving(false);
            refresh();
          } catch (e) {
            reportError(e);
          }
        },
      });
    } catch (e) {
      reportError(e);
    }
  };

  const remove = () => {
    if (!selected) return;
    modal.confirm({
      title: t('org.deleteConfirm', { unit: selected.name }),
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await unwrap(api.DELETE('/api/v1/org/units/{id}', { params: { path: { id: selected.id }, header: ifMatch(selected.version) } }));
          setSelectedId(undefined);
          refresh();
        } catch (e) {
          reportError(e);
        }
      },
    });
  };

  const isRoot = selected && !selected.parentId;
  const treeTab = (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={9} lg={7}>
        <Card title={t('org.tree')} loading={units.isLoading} styles={{ body: { maxHeight: '70vh', overflow: 'auto' } }}>
          {tree.length > 0 && (
            <Tree
              data-testid="org-tree"
              treeData={tree}
              defaultExpandedKeys={tree.map((n) => n.key)}
              selectedKeys={selected ? [selected.id] : []}
              onSelect={(keys) => keys[0] && setSelectedId(String(keys[0]))}
              blockNode
            />
          )}
        </Card>
      </Col>
      <Col xs={24} md={15} lg={17}>
        {!selected ? (
          <Empty description={t('org.selectHint')} />
        ) : (
          <Card
            title={selected.name}
            extra={
              manage && (
                <Space wrap>
                  <Button type="primary" onClick={() => openForm('create')} data-testid="org-add-child">
                    {t('org.addChild')}
                  </Button>
                  <Button onClick={() => openForm('edit')}>{t('common.edit')}</Button>
                  {!isRoot && <Button onClick={() => { setMoveTo(undefined); setMoving(true); }}>{t('org.move')}</Button>}
                  {!isRoot && <Button danger onClick={remove}>{t('common.delete')}</Button>}
                </Space>
              )
            }
          >
            <Descriptions column={{ xs: 1, sm: 3 }} size="small">
              <Descriptions.Item label={t('org.kind')}>{t(`kind.${selected.kind}`)}</Descriptions.Item>
              <Descriptions.Item label={t('org.basis')}>{t(`basis.${selected.basis}`)}</Descriptions.Item>
              <Descriptions.Item label={t('org.sortOrder')}>{selected.sortOrder}</Descriptions.Item>
            </Descriptions>
            {can(me, 'people.view') && (
              <Table
                style={{ marginTop: 16 }}
                size="small"
                rowKey="id"
                title={() => t('org.members')}
                loading={members.isLoading}
                dataSource={members.data?.items ?? []}
                pagination={false}
                scroll={{ x: true }}
                columns={[
                  { title: t('people.name'), dataIndex: 'displayName' },
                  { title: t('people.position'), dataIndex: 'positionName' },
                  { title: t('people.unit'), dataIndex: 'unitName' },
                  { title: t('people.manager'), dataIndex: 'managerName' },
                ]}
              />
            )}
          </Card>
        )}
      </Col>
      <Modal open={editing !== null} title={editing === 'create' ? t('org.addChild') : t('common.edit')} onOk={save} onCancel={() => setEditing(null)} destroyOnHidden>
        <Form form={form} name="unit" layout="vertical" data-testid="unit-form">
          <Form.Item name="name" label={t('org.name')} rules={[{ required: true, max: 60 }]}>
            <Input />
          </Form.Item>
          {!(editing === 'edit' && isRoot) && (
            <Form.Item name="kind" label={t('org.kind')} rules={[{ required: true }]}>
              <Select options={KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
            </Form.Item>
          )}
          <Form.Item name="basis" label={t('org.basis')} rules={[{ required: true }]}>
            <Select options={BASES.map((b) => ({ value: b, label: t(`basis.${b}`) }))} />
          </Form.Item>
          <Form.Item name="sortOrder" label={t('org.sortOrder')}>
            <InputNumber min={0} max={1000000} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={moving} title={t('org.move')} onOk={confirmMove} okButtonProps={{ disabled: !moveTo }} onCancel={() => setMoving(false)} destroyOnHidden>
        {selected && (
          <TreeSelect<string>
            style={{ width: '100%' }}
            placeholder={t('org.moveTo')}
            treeData={buildTree(moveTargets(units.data ?? [], selected as Unit))}
            treeDefaultExpandAll
            value={moveTo}
            onChange={setMoveTo}
          />
        )}
      </Modal>
    </Row>
  );
  return (
    <>
      <PageHeader title={t('nav.org')} />
    <Tabs
      items={[
        { key: 'tree', label: t('org.tree'), children: treeTab },
        { key: 'positions', label: t('positions.tab'), children: <Positions me={me} /> },
      ]}
    />
    </>
  );
}

// 值对应 of the import wizard: the values of the file's pick-list columns that name no option
// (客户类型 "政府机构"), each mapped to an option (the one chosen last time, else the one a
// close spelling suggests, is preselected), or added as a new option by those who may.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Select, Space, Table, Tag, Typography } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { currentLocale, t } from '../i18n';
import { reportError } from '../lib/errors';
import { columnLetter, effectiveValues, type ValueMap } from '../lib/imports';
export type { ValueMap } from '../lib/imports';
import { can } from '../lib/permissions';
import { useMe } from '../auth/session';

type Column = Schemas['ImportValueColumnView'];

export function ImportValues({
  jobId,
  mapping,
  fieldLabel,
  disabled,
  onChange,
}: {
  jobId: string;
  mapping: (string | null)[];
  fieldLabel: (key: string) => string;
  disabled?: boolean;
  onChange: (values: ValueMap) => void;
}) {
  const me = useMe().data ?? undefined;
  const qc = useQueryClient();
  const [chosen, setChosen] = useState<ValueMap>({});
  const key = JSON.stringify(mapping);
  const query = useQuery({
    queryKey: ['import-values', jobId, key],
    queryFn: () => unwrap(api.POST('/api/v1/customer-imports/{id}/values', { params: { path: { id: jobId } }, body: { mapping } })),
    staleTime: 30_000,
  });
  const columns = useMemo(() => query.data ?? [], [query.data]);
  const effective = useMemo(() => effectiveValues(columns, chosen), [columns, chosen]);
  useEffect(() => onChange(effective), [effective, onChange]);

  const addOption = async (c: Column, value: string) => {
    try {
      await unwrap(api.POST('/api/v1/customer-settings/options', { body: { kind: c.kind!, name: value, nameEn: null } }));
      await qc.invalidateQueries({ queryKey: ['customer-options'] });
      await query.refetch();
    } catch (e) {
      reportError(e);
    }
  };

  if (columns.length === 0) return null;
  const zh = currentLocale() === 'zh-CN';
  const mayAdd = can(me, 'customers.settings');
  const open = columns.reduce((n, c) => n + c.values.filter((v) => !effective[c.field]?.[v.value]).length, 0);
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="import-values">
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('imports.values')}
      </Typography.Title>
      <Alert type={open ? 'warning' : 'info'} showIcon message={open ? t('imports.valuesOpen', { n: open }) : t('imports.valuesDone')} description={t('imports.valuesHint')} />
      {columns.map((c) => (
        <Table
          key={c.field}
          size="small"
          rowKey="value"
          pagination={false}
          scroll={{ x: 'max-content' }}
          data-testid={`import-values-${c.field}`}
          title={() => (
            <Typography.Text strong>
              {columnLetter(c.column)} · {fieldLabel(c.field)}
              {c.more && <Typography.Text type="secondary"> {t('imports.valuesMore')}</Typography.Text>}
            </Typography.Text>
          )}
          dataSource={c.values}
          columns={[
            { title: t('imports.valueInFile'), dataIndex: 'value', render: (v: string) => <Typography.Text style={{ overflowWrap: 'anywhere' }}>{v}</Typography.Text> },
            { title: t('imports.valueRows'), dataIndex: 'rows', width: 70 },
            {
              title: t('imports.valueMeans'),
              render: (_, v) => {
                const current = effective[c.field]?.[v.value];
                const hint = chosen[c.field]?.[v.value] !== undefined || !current ? null : v.remembered ? t('imports.valueRemembered') : v.suggested ? t('imports.valueSuggested') : null;
                return (
                  <Space wrap size={4}>
                    <Select
                      allowClear
                      disabled={disabled}
                      style={{ minWidth: 160 }}
                      placeholder={t('imports.valueChoose')}
                      value={current}
                      data-testid={`import-value-${c.field}-${v.value}`}
                      options={c.choices.map((x) => ({ value: x.code, label: zh ? x.labelZh : x.labelEn }))}
                      onChange={(code?: string) =>
                        setChosen((m) => {
                          const next = { ...m, [c.field]: { ...m[c.field] } };
                          next[c.field][v.value] = code ?? '';
                          return next;
                        })
                      }
                    />
                    {hint && <Tag>{hint}</Tag>}
                    {mayAdd && c.kind && (
                      <Button size="small" disabled={disabled} onClick={() => void addOption(c, v.value)} data-testid={`import-value-add-${c.field}-${v.value}`}>
                        {t('imports.valueAdd')}
                      </Button>
                    )}
                  </Space>
                );
              },
            },
          ]}
        />
      ))}
    </Space>
  );
}

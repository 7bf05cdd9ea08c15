// A page's title and its actions on one line when they fit; on a narrow screen the actions
// wrap below the title, which is never cut short.
import type { ReactNode } from 'react';
import { Space, Typography } from 'antd';

export function PageHeader({ title, actions, extra }: { title: ReactNode; actions?: ReactNode; extra?: ReactNode }) {
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center', justifyContent: 'space-between', marginBottom: 16 }}>
      <Space wrap size={[8, 4]} style={{ flex: '1 1 auto', minWidth: 0 }}>
        <Typography.Title level={4} style={{ margin: 0, overflowWrap: 'anywhere' }} data-testid="page-title">
          {title}
        </Typography.Title>
        {extra}
      </Space>
      {actions && <Space wrap>{actions}</Space>}
    </div>
  );
}

// The frame around every page: ProLayout with menus by permission, the language switch and
// sign-out. At phone width ProLayout collapses the menu into a drawer and the page keeps
// narrow margins. The header is opaque and the grey page background covers the whole
// height, however long the page.
import type { ReactNode } from 'react';
import { ProLayout } from '@ant-design/pro-components';
import { Button, Dropdown, Space } from 'antd';
import { ApartmentOutlined, GlobalOutlined, AuditOutlined, ContactsOutlined, FormOutlined, HomeOutlined, InboxOutlined, LogoutOutlined, SafetyOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Link, useLocation, useNavigate } from 'react-router';
import { t, setLocale, useLocale } from '../i18n';
import { api } from '../api/client';
import { visibleMenu, type Me } from '../lib/permissions';
import { useSignOut } from '../auth/session';
import { useIsPhone } from '../lib/layout';
import { NotificationBell } from '../components/NotificationBell';

const ICONS: Record<string, ReactNode> = {
  '/': <HomeOutlined />,
  '/customers': <ContactsOutlined />,
  '/pools': <InboxOutlined />,
  '/territory': <GlobalOutlined />,
  '/settings/customers': <FormOutlined />,
  '/org': <ApartmentOutlined />,
  '/people': <TeamOutlined />,
  '/roles': <SafetyOutlined />,
  '/audit': <AuditOutlined />,
  '/account': <UserOutlined />,
};

/** The grey behind every page's cards. */
const PAGE_BACKGROUND = '#f5f6f8';

export function AppLayout({ me, children }: { me: Me; children: ReactNode }) {
  const loc = useLocation();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const locale = useLocale();
  const phone = useIsPhone();
  const switchLanguage = async () => {
    const next = locale === 'zh-CN' ? 'en-US' : 'zh-CN';
    setLocale(next);
    await api.PUT('/api/v1/me/locale', { body: { locale: next } });
  };
  return (
    <ProLayout
      title={t('app.short')}
      logo={false}
      layout="mix"
      fixSiderbar
      fixedHeader
      token={{
        bgLayout: PAGE_BACKGROUND,
        header: { colorBgHeader: '#ffffff' },
        pageContainer: { paddingInlinePageContainerContent: phone ? 12 : 24, paddingBlockPageContainerContent: phone ? 12 : 24 },
      }}
      style={{ minHeight: '100vh', background: PAGE_BACKGROUND }}
      contentStyle={{ padding: phone ? 12 : 24, minHeight: 'calc(100vh - 56px)', background: PAGE_BACKGROUND }}
      location={{ pathname: loc.pathname }}
      route={{ path: '/', routes: visibleMenu(me).map((m) => ({ path: m.path, name: t(m.key), icon: ICONS[m.path] })) }}
      menuItemRender={(item, dom) => <Link to={item.path ?? '/'}>{dom}</Link>}
      actionsRender={() => [
        <NotificationBell key="bell" />,
        <Button key="lang" type="text" size={phone ? 'small' : 'middle'} onClick={switchLanguage} data-testid="lang-switch">
          {phone ? (locale === 'zh-CN' ? 'EN' : '中') : t('lang.switch')}
        </Button>,
      ]}
      avatarProps={{
        title: <span data-testid="current-user">{me.displayName}</span>,
        size: 'small',
        render: (_, dom) => (
          <Dropdown
            menu={{
              items: [
                { key: 'account', icon: <UserOutlined />, label: t('nav.account'), onClick: () => navigate('/account') },
                {
                  key: 'logout',
                  icon: <LogoutOutlined />,
                  label: t('nav.logout'),
                  onClick: async () => {
                    await signOut();
                    navigate('/login');
                  },
                },
              ],
            }}
          >
            <Space data-testid="user-menu">{dom}</Space>
          </Dropdown>
        ),
      }}
    >
      {children}
    </ProLayout>
  );
}

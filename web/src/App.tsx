import { lazy, Suspense } from 'react';
import { ConfigProvider, Spin, App as AntApp } from 'antd';
import zhCNLocale from 'antd/es/locale/zh_CN';
import enUSLocale from 'antd/es/locale/en_US';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { useLocale } from './i18n';
import { useMe } from './auth/session';
import { AppLayout } from './layout/AppLayout';
import { ApiError } from './api/client';

const Login = lazy(() => import('./pages/Login'));
const ChangePassword = lazy(() => import('./pages/ChangePassword'));
const Home = lazy(() => import('./pages/Home'));
const Customers = lazy(() => import('./pages/Customers'));
const CustomerDetail = lazy(() => import('./pages/CustomerDetail'));
const CustomerImport = lazy(() => import('./pages/CustomerImport'));
const ReclaimSoon = lazy(() => import('./pages/ReclaimSoon'));
const Pools = lazy(() => import('./pages/Pools'));
const CustomerSettings = lazy(() => import('./pages/CustomerSettings'));
const Territory = lazy(() => import('./pages/Territory'));
const Org = lazy(() => import('./pages/Org'));
const People = lazy(() => import('./pages/People'));
const Roles = lazy(() => import('./pages/Roles'));
const Audit = lazy(() => import('./pages/Audit'));
const Account = lazy(() => import('./pages/Account'));
const NotFound = lazy(() => import('./pages/NotFound'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const fullPage = <Spin size="large" style={{ display: 'block', margin: '30vh auto' }} />;

function Gate() {
  const me = useMe();
  const loc = useLocation();
  if (me.isLoading) return fullPage;
  if (!me.data) {
    if (loc.pathname === '/login') return <Login />;
    return <Navigate to="/login" replace state={{ from: loc.pathname }} />;
  }
  if (me.data.mustChangePassword) return <ChangePassword forced />;
  if (loc.pathname === '/login') return <Navigate to="/" replace />;
  return (
    <AppLayout me={me.data}>
      <Suspense fallback={fullPage}>
        <Routes>
          <Route path="/" element={<Home me={me.data} />} />
          <Route path="/customers" element={<Customers me={me.data} />} />
          <Route path="/customers/import" element={<CustomerImport />} />
          <Route path="/customers/reclaim-soon" element={<ReclaimSoon />} />
          <Route path="/customers/:id" element={<CustomerDetail me={me.data} />} />
          <Route path="/pools" element={<Pools me={me.data} />} />
          <Route path="/territory" element={<Territory />} />
          <Route path="/settings/customers" element={<CustomerSettings me={me.data} />} />
          <Route path="/org" element={<Org me={me.data} />} />
          <Route path="/people" element={<People me={me.data} />} />
          <Route path="/roles" element={<Roles me={me.data} />} />
          <Route path="/audit" element={<Audit me={me.data} />} />
          <Route path="/account" element={<Account me={me.data} />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </AppLayout>
  );
}

// People who ask their system for less motion get dialogs and menus without animation.
const reducedMotion = typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches === true;
const theme = { token: { colorPrimary: '#1f6feb', borderRadius: 6, motion: !reducedMotion } };

export function App() {
  const locale = useLocale();
  return (
    <ConfigProvider locale={locale === 'zh-CN' ? zhCNLocale : enUSLocale} theme={theme}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <Suspense fallback={fullPage}>
              <Gate />
            </Suspense>
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

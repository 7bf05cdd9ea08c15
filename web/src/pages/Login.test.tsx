import { describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import Login from './Login';
import { setLocale } from '../i18n';

function renderLogin() {
  return render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <Login />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('sign-in page', () => {
  it('speaks Chinese first and switches to English', () => {
    renderLogin();
    expect(screen.getByLabelText('用户名或手机号')).toBeInTheDocument();
    expect(screen.getByLabelText('密码')).toBeInTheDocument();
    act(() => setLocale('en-US'));
    expect(screen.getByLabelText('Username or mobile')).toBeInTheDocument();
    act(() => setLocale('zh-CN'));
  });
});

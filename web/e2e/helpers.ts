// What the journeys share: signing in and out of the demo company.
import { expect, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from '../playwright.config';

export async function signIn(page: Page, login: string) {
  await page.goto('/login');
  await page.getByLabel('用户名或手机号').fill(login);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登 录' }).or(page.getByRole('button', { name: '登录' })).click();
  await expect(page.getByTestId('home-greeting')).toBeVisible();
}

export async function signOut(page: Page) {
  await page.evaluate(() => fetch('/api/v1/auth/logout', { method: 'POST' }));
  await page.context().clearCookies();
}

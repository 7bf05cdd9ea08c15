// The administrator builds a team and hires a rep; the rep signs in, replaces the temporary
// password and sees only what a rep may see. Run on desktop and on a 390 px phone.
import { expect, test, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from '../playwright.config';

async function signIn(page: Page, login: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('用户名或手机号').fill(login);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登 录' }).or(page.getByRole('button', { name: '登录' })).click();
}

async function signOut(page: Page) {
  // The API call a sign-out makes; the UI's menu is covered on desktop below.
  await page.evaluate(() => fetch('/api/v1/auth/logout', { method: 'POST' }));
  await page.context().clearCookies();
}

test('admin creates a unit and a rep; the rep sees only their own', async ({ page }, info) => {
  const tag = `${info.project.name}${Date.now() % 100000}`;
  const unitName = `测试组${tag}`;
  const username = `e2e${tag}`.toLowerCase();

  await signIn(page, 'admin', DEMO_PASSWORD);
  await expect(page.getByTestId('home-greeting')).toBeVisible();

  // A new team under the company root.
  await page.goto('/org');
  const tree = page.getByTestId('org-tree');
  await expect(tree.getByText('华东大区')).toBeVisible();
  await tree.getByText('华远智能装备有限公司').click();
  await page.getByTestId('org-add-child').click();
  const unitForm = page.getByTestId('unit-form');
  await unitForm.getByLabel('名称').fill(unitName);
  await page.getByRole('dialog').getByRole('button', { name: /确\s*定/ }).click();
  await expect(tree.getByText(unitName)).toBeVisible();

  // A rep in that team, with a generated temporary password.
  await page.goto('/people');
  await page.getByTestId('people-add').click();
  const form = page.getByTestId('person-form');
  await form.getByLabel('用户名').fill(username);
  await form.getByLabel('姓名').fill('测试代表');
  await form.getByLabel('手机号').fill(`139${String(Date.now()).slice(-8)}`);
  await form.getByLabel('组织').click();
  await page.locator('.ant-select-tree').getByText(unitName).click();
  await form.getByLabel('岗位').click();
  await page.locator('.ant-select-dropdown:visible').getByText('销售代表', { exact: true }).click();
  await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
  await page.getByRole('dialog').getByRole('button', { name: /确\s*定/ }).click();
  await expect(page.getByTestId('temp-password')).toBeVisible();
  const temp = (await page.getByTestId('temp-password').textContent())?.trim() ?? '';
  expect(temp).toHaveLength(12);
  await signOut(page);

  // The rep signs in and must replace the temporary password first.
  await signIn(page, username, temp);
  await expect(page.getByText('首次登录或密码被重置后，请先设置新密码。')).toBeVisible();
  await page.getByLabel('当前密码').fill(temp);
  await page.getByLabel('新密码', { exact: true }).fill('Rep-Secure-Pass-88');
  await page.getByLabel('确认新密码').fill('Rep-Secure-Pass-88');
  await page.getByRole('button', { name: /保\s*存/ }).click();
  await expect(page.getByTestId('home-greeting')).toContainText('测试代表');

  // A rep's own record only; no org, roles or audit pages.
  await page.goto('/people');
  await expect(page.getByTestId('person-name')).toHaveCount(1);
  await expect(page.getByTestId('person-name')).toHaveText('测试代表');
  for (const path of ['/org', '/roles', '/audit']) {
    await page.goto(path);
    await expect(page.getByText('您没有查看此页面的权限')).toBeVisible();
  }
  const status = await page.evaluate(async () => (await fetch('/api/v1/audit')).status);
  expect(status).toBe(403);
  if (info.project.name === 'desktop') {
    const menu = page.locator('.ant-pro-layout .ant-menu');
    await expect(menu.getByText('人员管理')).toBeVisible();
    await expect(menu.getByText('组织架构')).toHaveCount(0);
    await expect(menu.getByText('审计日志')).toHaveCount(0);
  }
});

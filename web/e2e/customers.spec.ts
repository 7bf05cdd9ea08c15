// A rep creates a customer and meets 查重 on a second try; returns the customer to the
// region's pool; another rep of the region claims it. Desktop and a 390 px phone.
import { expect, test, type Page } from '@playwright/test';
import { signIn, signOut } from './helpers';



/** A 1x1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** Two reps of one Shanghai team, looked up as the administrator. */
async function twoReps(page: Page): Promise<[string, string]> {
  await signIn(page, 'admin');
  const names = await page.evaluate(async () => {
    const units = await (await fetch('/api/v1/org/units')).json();
    const team = units.find((u: { name: string }) => u.name === '上海大客户组');
    const positions = await (await fetch('/api/v1/org/positions')).json();
    const rep = positions.find((p: { code: string }) => p.code === 'sales_rep');
    const users = await (await fetch(`/api/v1/users?unitId=${team.id}&positionId=${rep.id}&pageSize=10`)).json();
    return users.items.map((u: { username: string }) => u.username);
  });
  await signOut(page);
  expect(names.length).toBeGreaterThanOrEqual(2);
  return [names[0], names[1]];
}

test('create a customer, meet 查重, return it to the pool, claim it as another rep', async ({ page }, info) => {
  const tag = `${info.project.name === 'phone' ? '手机' : '桌面'}${Date.now() % 100000}`;
  const name = `测试客户${tag}有限公司`;
  const [repA, repB] = await twoReps(page);

  // Rep A creates the customer with a first contact.
  await signIn(page, repA);
  await page.goto('/customers');
  await page.getByTestId('customers-add').click();
  const form = page.getByTestId('customer-form');
  await form.getByLabel('客户名称').fill(name);
  await form.getByLabel('姓名').fill('周测试');
  await form.getByLabel('手机').fill(`139${String(Date.now()).slice(-8)}`);
  await page.getByTestId('customer-save').click();
  await expect(page.getByTestId('customer-title')).toHaveText(name);

  // A visit recorded with a photo: uploaded as it is picked, shown in the timeline.
  await page.getByTestId('followup-add').click();
  const follow = page.getByTestId('followup-form');
  await follow.getByLabel('跟进内容').fill('上门拜访，现场拍照');
  await follow.locator('input[type=file]').setInputFiles({ name: '现场.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
  await expect(follow.getByTestId('attachment-picture')).toHaveCount(1);
  await page.getByRole('dialog').getByRole('button', { name: /确\s*定/ }).click();
  await expect(page.getByTestId('followups').getByTestId('attachment-picture')).toHaveCount(1);
  await expect(page.getByTestId('customer-files').getByRole('img', { name: '现场.png' })).toBeVisible();

  // The list filtered to this customer, saved as the default view, opens that way next time.
  await page.goto('/customers');
  const search = page.getByPlaceholder('客户名称、简称、联系人或电话');
  await search.fill(name);
  await search.press('Enter');
  await expect(page.getByTestId('customer-name')).toHaveText([name]);
  await page.getByTestId('views-actions').click();
  await page.getByRole('menuitem', { name: '保存为视图…' }).click();
  const viewForm = page.getByTestId('view-form');
  await viewForm.getByLabel('视图名称').fill(`只看${tag}`);
  await viewForm.getByRole('checkbox', { name: /设为默认视图/ }).check();
  await page.getByRole('dialog').getByRole('button', { name: /确\s*定/ }).click();
  await expect(viewForm).toBeHidden();
  await page.goto('/customers');
  await expect(search).toHaveValue(name);
  await expect(page.getByTestId('customer-name')).toHaveText([name]);

  // The same company written another way is found while typing and refused on save.
  await page.goto('/customers');
  await page.getByTestId('customers-add').click();
  // A place in brackets and 股份 change nothing: the same company (checked as it is typed).
  await form.getByLabel('客户名称').fill(`测试客户${tag}（上海）股份有限公司`);
  await expect(page.getByTestId('dup-warning')).toBeVisible();
  await expect(page.getByTestId('dup-match').first()).toContainText(name);
  await expect(page.getByTestId('dup-match').first()).toContainText('名称相同');
  await page.getByTestId('customer-save').click();
  await expect(form.getByText('已有同名客户')).toBeVisible();
  await page.keyboard.press('Escape');

  // Back to the pool with a reason.
  await page.goto('/customers');
  await page.getByPlaceholder('客户名称、简称、联系人或电话').fill(name);
  await page.getByPlaceholder('客户名称、简称、联系人或电话').press('Enter');
  await page.getByTestId('customer-name').filter({ hasText: name }).click();
  await page.getByTestId('customer-return').click();
  const ret = page.getByTestId('return-form');
  await ret.getByLabel('公海').click();
  await page.locator('.ant-select-dropdown:visible').getByText('华东大区公海').click();
  await ret.getByLabel('原因').fill('客户暂无需求');
  await page.getByRole('dialog').getByRole('button', { name: /确\s*定/ }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await signOut(page);

  // Rep B finds it in the pool, without contact details, and claims it.
  await signIn(page, repB);
  await page.goto('/pools');
  await expect(page.getByTestId('pool-switch')).toContainText('华东大区公海');
  await page.getByPlaceholder('客户名称、简称、联系人或电话').fill(name);
  await page.getByPlaceholder('客户名称、简称、联系人或电话').press('Enter');
  await expect(page.getByTestId('pool-customer')).toHaveText([name]);
  await page.getByTestId('pool-claim').click();
  await page.getByRole('dialog').getByRole('button', { name: /确\s*定/ }).click();
  await expect(page.getByText('已领取，客户已在您的客户列表中')).toBeVisible();
  await page.goto('/customers');
  await page.getByPlaceholder('客户名称、简称、联系人或电话').fill(name);
  await page.getByPlaceholder('客户名称、简称、联系人或电话').press('Enter');
  await page.getByTestId('customer-name').filter({ hasText: name }).click();
  await expect(page.getByTestId('customer-title')).toHaveText(name);
  await expect(page.getByText('领取').first()).toBeVisible();
  await expect(page.getByText('周测试')).toBeVisible();
});

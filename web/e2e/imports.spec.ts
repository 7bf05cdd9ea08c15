// A regional manager imports customers: a file with a bad row is refused whole and explained
// (the error file downloads), the fixed file imports, and the customers are there.
// Desktop and a 390 px phone.
import { expect, test, type Page } from '@playwright/test';
import { signIn, signOut } from './helpers';

/** The manager of 华东大区, looked up as the administrator. */
async function regionalManager(page: Page): Promise<string> {
  await signIn(page, 'admin');
  const login = await page.evaluate(async () => {
    const units = await (await fetch('/api/v1/org/units')).json();
    const region = units.find((u: { name: string }) => u.name === '华东大区');
    const positions = await (await fetch('/api/v1/org/positions')).json();
    const rm = positions.find((p: { code: string }) => p.code === 'regional_manager');
    const users = await (await fetch(`/api/v1/users?unitId=${region.id}&positionId=${rm.id}&pageSize=10`)).json();
    return users.items[0].username as string;
  });
  await signOut(page);
  return login;
}

function csv(rows: string[][]): Buffer {
  const text = rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

async function uploadFile(page: Page, name: string, body: Buffer) {
  await page.getByTestId('import-page').locator('input[type=file]').setInputFiles({ name, mimeType: 'text/csv', buffer: body });
  await expect(page.getByTestId('import-form')).toBeVisible();
}

test('import a file with errors, fix it, import it', async ({ page }, info) => {
  const tag = `${info.project.name === 'phone' ? '手机' : '桌面'}${Date.now() % 100000}`;
  // 客户类型 in another system's words: 经销商 and 政府机构 are not the options' names.
  const header = ['客户名称', '客户级别', '联系人', '手机', '标签', '客户类型'];
  const good1 = [`导入甲${tag}有限公司`, 'A', '钱一', `136${String(Date.now()).slice(-8)}`, '导入测试', '经销商'];
  const good2 = [`导入乙${tag}有限公司`, 'B', '孙二', '', '导入测试', '政府机构'];
  const bad = [`导入丙${tag}有限公司`, 'B', '李三', '12345', '', '经销商'];

  await signIn(page, await regionalManager(page));
  await page.goto('/customers');
  await page.getByTestId('customers-import').click();
  await expect(page.getByTestId('import-page')).toBeVisible();

  // A bad mobile in the last row: nothing is imported, the row and column are named.
  await uploadFile(page, `客户-${tag}.csv`, csv([header, good1, good2, bad]));
  await expect(page.getByTestId('import-total')).toHaveText('3');
  // 值对应: each value is listed with the option a close spelling suggests, already chosen.
  const values = page.getByTestId('import-values-typeCode');
  await expect(values).toContainText('经销商');
  await expect(values).toContainText('政府机构');
  await expect(values).toContainText('经销商/代理商');
  await expect(values).toContainText('政府/事业单位');
  await page.getByTestId('import-validate').click();
  await expect(page.getByTestId('import-invalid')).toBeVisible();
  const errors = page.getByTestId('import-errors');
  await expect(errors).toContainText('手机');
  await expect(errors.locator('tbody tr.ant-table-row').first()).toContainText('4');
  const download = page.waitForEvent('download');
  await page.getByTestId('import-error-file').click();
  expect((await download).suggestedFilename()).toMatch(/-errors\.xlsx$/);

  // Fixed, it validates and imports.
  await page.getByTestId('import-again').click();
  await uploadFile(page, `客户-${tag}-改.csv`, csv([header, good1, good2, [bad[0], bad[1], bad[2], '13512345678', '', bad[5]]]));
  await expect(page.getByTestId('import-values-typeCode')).toContainText('上次的选择');
  await page.getByTestId('import-validate').click();
  await expect(page.getByTestId('import-valid')).toBeVisible();
  await page.getByTestId('import-run').click();
  await expect(page.getByTestId('import-done')).toBeVisible();

  await page.goto('/customers');
  await page.getByPlaceholder('客户名称、简称、联系人或电话').fill(tag);
  await page.getByPlaceholder('客户名称、简称、联系人或电话').press('Enter');
  await expect(page.getByTestId('customer-name')).toHaveCount(3);
});

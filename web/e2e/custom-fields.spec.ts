// An administrator adds a custom field (自定义字段) with options; a customer is created with a
// value of it, shown on the customer's page and in the list, then edited. Desktop and phone.
import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

test('define a custom field, fill it on a customer, see it and change it', async ({ page }, info) => {
  const n = `${info.project.name === 'phone' ? 'p' : 'd'}${Date.now() % 1000000}`;
  const label = `合作模式${n}`;
  await signIn(page, 'admin');

  await page.goto('/settings/customers');
  await page.getByTestId('custom-field-add').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('字段名称').fill(label);
  await dialog.getByLabel('编码').fill(`mode_${n}`);
  await dialog.getByLabel('类型').click({ force: true }); // the chosen value covers the input
  await page.locator('.ant-select-dropdown:visible').getByText('单选', { exact: true }).click();
  for (const [text, code] of [['直销', 'direct'], ['渠道', 'channel']]) {
    await dialog.getByRole('button', { name: '添加选项' }).click();
    await dialog.getByPlaceholder('选项名称').last().fill(text);
    await dialog.getByPlaceholder('编码').last().fill(code);
  }
  await dialog.getByRole('button', { name: /确\s*定/ }).click();
  await expect(page.getByRole('cell', { name: label, exact: true })).toBeVisible();

  // The new customer form has the field; the page shows the option's name.
  const name = `自定义字段测试${n}有限公司`;
  await page.goto('/customers');
  await page.getByTestId('customers-add').click();
  const form = page.getByTestId('customer-form');
  await form.getByLabel('客户名称').fill(name);
  await form.getByLabel(label).click();
  await page.locator('.ant-select-dropdown:visible').getByText('渠道', { exact: true }).click();
  await page.getByTestId('customer-save').click();
  await expect(page.getByTestId('customer-title')).toHaveText(name);
  await expect(page.locator('.ant-descriptions-item').filter({ hasText: label })).toContainText('渠道');

  // Edited to the other option.
  await page.getByTestId('customer-edit').click();
  const edit = page.getByTestId('customer-form');
  await edit.getByLabel(label).click({ force: true });
  await page.locator('.ant-select-dropdown:visible').getByText('直销', { exact: true }).click();
  await page.getByTestId('customer-edit-save').click();
  await expect(page.locator('.ant-descriptions-item').filter({ hasText: label })).toContainText('直销');
});

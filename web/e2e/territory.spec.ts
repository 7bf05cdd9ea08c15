// The director designs territories for 华东大区's real districts: opens a scenario on the map,
// designs a new one, moves a district to another territory and locks it (the figures
// change), optimises around the lock, and applies the present alignment rebalanced, seeing
// first who gains and loses which districts and customers.
import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

test('a scenario is designed, edited on the map and applied', async ({ page }, info) => {
  await signIn(page, 'yuanhaiyan');
  await page.goto('/territory');
  const scenarios = page.getByTestId('scenario-table');
  await expect(scenarios.getByText('华东：现状重新均衡')).toBeVisible();
  await expect(scenarios.getByText('华东：按潜力重新划分')).toBeVisible();
  // The map draws the districts (a canvas, no tiles).
  await expect(page.getByTestId('territory-map').locator('canvas')).toBeVisible();

  // A new scenario of eight territories.
  await page.getByTestId('scenario-new').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('方案名称').fill('八个区域');
  await dialog.getByLabel('区域数').fill('8');
  await dialog.getByRole('button', { name: /确\s*定/ }).click();
  await expect(page.getByText('方案已生成')).toBeVisible();
  await expect(page.getByTestId('territory-table').locator('tbody tr.ant-table-row')).toHaveCount(8);
  // A legend names the eight territories: by rep or main city, not "T01".
  const legend = page.getByTestId('territory-legend');
  await expect(legend.locator(':scope > span')).toHaveCount(8);
  await expect(legend).not.toContainText('T01');
  const before = await page.getByTestId('figure-potential').innerText();

  // Move 黄浦区 to another territory, then lock it.
  await page.getByTestId('unit-select').click();
  await page.keyboard.type('黄浦');
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '上海市黄浦区' }).click();
  const territorySelect = page.getByTestId('unit-territory');
  const from = (await territorySelect.innerText()).trim();
  await territorySelect.click();
  const other = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasNotText: from }).first();
  const target = (await other.innerText()).trim();
  await other.click();
  await expect(territorySelect).toContainText(target);
  await expect(page.getByTestId('figure-potential')).not.toHaveText(before);
  await page.getByTestId('unit-lock').click();
  await expect(page.getByTestId('unit-lock')).toHaveAttribute('aria-checked', 'true');

  // Optimising keeps the locked district where it was put.
  await page.getByTestId('scenario-optimise').click();
  await expect(page.getByText('已重新优化')).toBeVisible();
  await expect(territorySelect).toContainText(target);

  // Rebalance the present alignment (one territory per rep holding districts now) and
  // apply it. Each project makes its own: the phone run follows the desktop's apply.
  const name = `现状重新均衡-${info.project.name}`;
  await page.getByTestId('scenario-new').click();
  const form = page.getByRole('dialog');
  await form.getByLabel('方案名称').fill(name);
  await form.getByLabel('在现状上重新均衡').click();
  await form.getByRole('button', { name: /确\s*定/ }).click();
  await expect(scenarios.getByText(name)).toBeVisible();
  await page.getByTestId('scenario-apply').click();
  const apply = page.getByRole('dialog');
  await expect(apply.getByTestId('apply-summary')).toContainText('个客户更换负责人');
  await apply.getByLabel('调整原因').fill('年度区域调整');
  await page.locator('#apply-confirm').click();
  await expect(page.getByText(/已实施：\d+ 个单元/)).toBeVisible();
  await expect(scenarios.locator('tr', { hasText: name }).getByText('已实施')).toBeVisible();
});

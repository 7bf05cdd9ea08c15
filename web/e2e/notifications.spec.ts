// A rep of the demo company opens the bell: the day's reminders are there (written when the
// server started); the forgotten-customers one opens the list filtered to those customers.
import { expect, test } from '@playwright/test';
import { signIn, signOut } from './helpers';

test('the bell shows the day\'s reminders and leads to the customers they name', async ({ page }) => {
  // A rep of the Shanghai key-account team, looked up as the administrator.
  await signIn(page, 'admin');
  const rep = await page.evaluate(async () => {
    const units = await (await fetch('/api/v1/org/units')).json();
    const team = units.find((u: { name: string }) => u.name === '上海大客户组');
    const positions = await (await fetch('/api/v1/org/positions')).json();
    const role = positions.find((p: { code: string }) => p.code === 'sales_rep');
    const users = await (await fetch(`/api/v1/users?unitId=${team.id}&positionId=${role.id}&pageSize=1`)).json();
    return users.items[0].username as string;
  });
  await signOut(page);
  await signIn(page, rep);
  // The reminders are written in the background at start-up.
  await expect
    .poll(async () => page.evaluate(async () => (await (await fetch('/api/v1/me/notifications/unread-count')).json()).unread), { timeout: 60_000 })
    .toBeGreaterThan(0);
  await page.reload();
  await page.getByTestId('notifications-bell').click();
  const panel = page.getByTestId('notifications');
  const forgotten = panel.getByTestId('notification').filter({ hasText: '超过遗忘提醒天数未跟进' });
  await expect(forgotten).toHaveCount(1);
  await forgotten.click();
  await expect(page).toHaveURL(/\/customers\?forgotten=true/);
  await expect(page.getByTestId('customer-name').first()).toBeVisible();
});

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

/** The usernames of the people holding `position` in the unit named `unitName`, looked up as
 * the administrator (who is signed out again). */
export async function peopleOf(page: Page, unitName: string, position: string): Promise<string[]> {
  await signIn(page, 'admin');
  const names = await page.evaluate(
    async ([unitName, position]) => {
      const units = await (await fetch('/api/v1/org/units')).json();
      const unit = units.find((u: { name: string }) => u.name === unitName);
      const positions = await (await fetch('/api/v1/org/positions')).json();
      const p = positions.find((x: { code: string }) => x.code === position);
      const users = await (await fetch(`/api/v1/users?unitId=${unit.id}&positionId=${p.id}&pageSize=10`)).json();
      return users.items.map((u: { username: string }) => u.username) as string[];
    },
    [unitName, position],
  );
  await signOut(page);
  return names;
}

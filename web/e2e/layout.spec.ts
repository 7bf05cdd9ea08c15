// Every page, at the project's width (a 390 px phone and a desktop): nothing wider than the
// screen, the page's title (or the record's name) shown whole, the bell's panel inside the
// screen, an opaque header, and the page's grey down to the bottom of a long page.
import { expect, test, type Page } from '@playwright/test';
import { peopleOf, signIn } from './helpers';

/** The page scrolls no wider than the viewport. */
async function noSidewaysScroll(page: Page, where: string) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `${where}: the page is ${scroll - width} px wider than the screen`).toBeLessThanOrEqual(width);
}

/** The element is on screen and its text is not cut short (by an ellipsis or the edge). */
async function shownWhole(page: Page, testId: string, where: string) {
  const el = page.getByTestId(testId).first();
  await expect(el, `${where}: ${testId}`).toBeVisible();
  const cut = await el.evaluate((node) => {
    const width = window.innerWidth;
    let n: HTMLElement | null = node as HTMLElement;
    while (n && n !== document.body) {
      const style = getComputedStyle(n);
      if (style.overflow === 'hidden' || style.textOverflow === 'ellipsis' || style.overflowX === 'hidden') {
        if (n.scrollWidth > n.clientWidth + 1) return `clipped by ${n.className}`;
      }
      n = n.parentElement;
    }
    const box = (node as HTMLElement).getBoundingClientRect();
    return box.right > width + 1 || box.left < -1 ? `off screen (${Math.round(box.left)}..${Math.round(box.right)})` : '';
  });
  expect(cut, `${where}: ${testId} ${cut}`).toBe('');
}

async function visit(page: Page, path: string, titleId: string) {
  await page.goto(path);
  await expect(page.getByTestId(titleId).first(), `${path}: ${titleId}`).toBeVisible();
  // Lists and maps settle.
  await page.waitForLoadState('networkidle');
  await noSidewaysScroll(page, path);
  await shownWhole(page, titleId, path);
}

test('every page fits the screen and shows its title whole', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, 'admin');
  for (const path of ['/customers', '/customers/import', '/pools', '/territory', '/settings/customers', '/org', '/people', '/roles', '/audit', '/account', '/customers/reclaim-soon']) {
    await visit(page, path, 'page-title');
  }
  await visit(page, '/', 'home-greeting');
  // A customer's page (an A customer of the demo with contacts): the name comes first, whole,
  // and the level beside it.
  const id = await page.evaluate(async () => (await (await fetch('/api/v1/customers?levelCode=A&pageSize=1&sort=name')).json()).items[0].id as string);
  await page.goto(`/customers/${id}`);
  await expect(page.getByTestId('customer-title')).toBeVisible();
  await noSidewaysScroll(page, 'customer page');
  await shownWhole(page, 'customer-title', 'customer page');
  await shownWhole(page, 'customer-level', 'customer page');
  // Mobile numbers are whole and can be tapped to call.
  const phone = page.getByTestId('phone-link').first();
  await expect(phone).toHaveAttribute('href', /^tel:\+?\d+$/);
  await shownWhole(page, 'phone-link', 'customer page');
});

test('a rep on the phone sees the list as cards with what matters', async ({ page }, info) => {
  const [rep] = await peopleOf(page, '北京大客户组', 'sales_rep');
  await signIn(page, rep);
  await visit(page, '/customers', 'page-title');
  await shownWhole(page, 'customer-name', 'customer list');
  if (info.project.name === 'phone') {
    // Name, level, owner, last follow-up and next contact in one card, nothing clipped.
    const card = page.getByTestId('customer-card').first();
    await expect(card).toBeVisible();
    await expect(card).toContainText('最近跟进');
  }
  await visit(page, '/', 'home-greeting');
  for (const card of ['home-today', 'home-overdue', 'home-reclaim', 'home-forgotten']) {
    await expect(page.getByTestId(card)).toBeVisible();
    // Ten at most, and the link's list holds as many as the card says.
    expect(await page.getByTestId(card).locator('.ant-list-item').count()).toBeLessThanOrEqual(10);
  }
});

test('the bell opens inside the screen, over an opaque header', async ({ page }) => {
  const [rep] = await peopleOf(page, '北京大客户组', 'sales_rep');
  await signIn(page, rep);
  await page.goto('/customers');
  await page.getByTestId('notifications-bell').click();
  const panel = page.getByTestId('notifications');
  await expect(panel).toBeVisible();
  const box = await panel.boundingBox();
  const width = page.viewportSize()!.width;
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width + 1);
  await page.keyboard.press('Escape');
  // The header hides what scrolls under it, and the grey reaches the bottom of the page.
  const header = await page.evaluate(() => {
    // ProLayout's fixed header (a transparent placeholder keeps its place in the flow).
    const h = document.querySelector('.ant-pro-layout-header') as HTMLElement | null;
    return h ? getComputedStyle(h).backgroundColor : '';
  });
  expect(header).toMatch(/rgb\(255, 255, 255\)|rgba\(255, 255, 255, 1\)/);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const bottom = await page.evaluate(() => {
    const el = document.elementFromPoint(window.innerWidth - 2, window.innerHeight - 2) as HTMLElement | null;
    let n: HTMLElement | null = el;
    while (n) {
      const bg = getComputedStyle(n).backgroundColor;
      if (bg && bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
      n = n.parentElement;
    }
    return getComputedStyle(document.body).backgroundColor;
  });
  expect(bottom).not.toBe('rgba(0, 0, 0, 0)');
});

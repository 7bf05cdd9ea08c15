// What the signed-in user may do, from /api/v1/me. Menus and buttons follow it; the server
// enforces it regardless.
import type { Schemas } from '../api/client';

export type Me = Schemas['MeView'];

export const can = (me: Me | undefined, permission: string) => !!me?.permissions.includes(permission);

export interface MenuEntry {
  path: string;
  key: string;
  /** Shown when the user holds any of these (empty: always). */
  anyOf: string[];
}

export const MENU: MenuEntry[] = [
  { path: '/', key: 'nav.home', anyOf: [] },
  { path: '/customers', key: 'nav.customers', anyOf: ['customers.view'] },
  { path: '/pools', key: 'nav.pools', anyOf: ['pools.use', 'pools.manage'] },
  { path: '/territory', key: 'nav.territory', anyOf: ['territory.design'] },
  { path: '/settings/customers', key: 'nav.customerSettings', anyOf: ['customers.settings'] },
  { path: '/org', key: 'nav.org', anyOf: ['org.view'] },
  { path: '/people', key: 'nav.people', anyOf: ['people.view'] },
  { path: '/roles', key: 'nav.roles', anyOf: ['roles.view'] },
  { path: '/audit', key: 'nav.audit', anyOf: ['audit.view'] },
  { path: '/account', key: 'nav.account', anyOf: [] },
];

export function visibleMenu(me: Me | undefined): MenuEntry[] {
  return MENU.filter((m) => m.anyOf.length === 0 || m.anyOf.some((p) => can(me, p)));
}

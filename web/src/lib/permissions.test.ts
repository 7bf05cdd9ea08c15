import { describe, expect, it } from 'vitest';
import { visibleMenu, type Me } from './permissions';

const me = (permissions: string[]): Me => ({ id: '1', username: 'u', displayName: 'U', unitId: '2', locale: 'zh-CN', mustChangePassword: false, permissions, scopes: [] });

describe('menus by permission', () => {
  it('shows a rep only home, people and account', () => {
    expect(visibleMenu(me(['people.view'])).map((m) => m.path)).toEqual(['/', '/people', '/account']);
  });

  it('shows an administrator everything', () => {
    const all = ['org.view', 'org.manage', 'people.view', 'people.manage', 'roles.view', 'roles.manage', 'audit.view'];
    expect(visibleMenu(me(all)).map((m) => m.path)).toEqual(['/', '/org', '/people', '/roles', '/audit', '/account']);
  });
});

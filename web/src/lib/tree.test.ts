import { describe, expect, it } from 'vitest';
import { buildTree, moveTargets, type Unit } from './tree';

const unit = (id: string, parentId: string | null, path: string, name: string): Unit => ({ id, parentId, path, name, kind: 'team', basis: 'territory', sortOrder: 0, version: 1, updatedAt: 0 });
const units = [unit('r', null, '/1/', '公司'), unit('e', 'r', '/1/2/', '华东'), unit('s', 'e', '/1/2/3/', '上海'), unit('n', 'r', '/1/4/', '华北')];

describe('org tree', () => {
  it('nests units under their parents', () => {
    const [root] = buildTree(units);
    expect(root.title).toBe('公司');
    expect(root.children.map((c) => c.title).sort()).toEqual(['华东', '华北'].sort());
    expect(root.children.find((c) => c.key === 'e')!.children[0].title).toBe('上海');
  });

  it('offers no move target inside the moving unit', () => {
    const targets = moveTargets(units, units[1]).map((u) => u.id);
    expect(targets).toEqual(['r', 'n']);
  });
});

// The org units arrive as a flat list in path order; the tree components want nesting.
import type { Schemas } from '../api/client';

export type Unit = Schemas['UnitView'];

export interface UnitNode {
  key: string;
  value: string;
  title: string;
  unit: Unit;
  children: UnitNode[];
}

export function buildTree(units: Unit[]): UnitNode[] {
  const nodes = new Map<string, UnitNode>();
  const roots: UnitNode[] = [];
  const sorted = [...units].sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, 'zh-CN'));
  for (const u of sorted) nodes.set(u.id, { key: u.id, value: u.id, title: u.name, unit: u, children: [] });
  for (const u of sorted) {
    const node = nodes.get(u.id)!;
    const parent = u.parentId ? nodes.get(u.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** The units a unit may move under: anything outside its own subtree. */
export function moveTargets(units: Unit[], moving: Unit): Unit[] {
  return units.filter((u) => !u.path.startsWith(moving.path));
}

// Saved views (保存的视图) of the customer list: what the list shows, as the query parameters
// the server stores, and back.

/** The list's filters a view keeps (the search form's fields). */
export const VIEW_FILTERS = ['q', 'levelCode', 'statusCode', 'typeCode', 'industryCode', 'due', 'forgotten', 'cf'] as const;

export type SortField = 'lastFollowupAt' | 'nextFollowupAt';
export interface ListState {
  filters: Record<string, string>;
  sort?: { field: SortField; order: 'asc' | 'desc' };
  pageSize?: number;
}

/** The query a view stores for the list as it is now (empty filters left out). */
export function queryOf(state: ListState): Record<string, string> {
  const q: Record<string, string> = {};
  for (const k of VIEW_FILTERS) {
    const v = state.filters[k];
    if (v !== undefined && v !== null && String(v).trim() !== '') q[k] = String(v);
  }
  if (state.sort) {
    q.sort = state.sort.field;
    q.order = state.sort.order;
  }
  if (state.pageSize) q.pageSize = String(state.pageSize);
  return q;
}

/** The list state a stored view opens (parameters this page does not show are ignored). */
export function stateOf(query: Record<string, string>): ListState {
  const filters: Record<string, string> = {};
  for (const k of VIEW_FILTERS) if (query[k]) filters[k] = query[k];
  const field = query.sort === 'lastFollowupAt' || query.sort === 'nextFollowupAt' ? query.sort : undefined;
  const order = query.order === 'asc' ? 'asc' : 'desc';
  const pageSize = Number(query.pageSize);
  return { filters, sort: field ? { field, order } : undefined, pageSize: Number.isInteger(pageSize) && pageSize > 0 ? pageSize : undefined };
}

export type ColumnsState = Record<string, { show?: boolean; order?: number }>;

/** The visible columns in order; empty when they are the list's default. */
export function columnsOf(state: ColumnsState, keys: string[]): string[] {
  const shown = keys.filter((k) => state[k]?.show !== false);
  const ordered = [...shown].sort((a, b) => (state[a]?.order ?? keys.indexOf(a)) - (state[b]?.order ?? keys.indexOf(b)));
  return ordered.length === keys.length && ordered.every((k, i) => k === keys[i]) ? [] : ordered;
}

/** The column chooser's state for a view's columns (all, in order, when it has none). */
export function columnsStateOf(columns: string[], keys: string[]): ColumnsState {
  const state: ColumnsState = {};
  keys.forEach((k, i) => {
    const at = columns.indexOf(k);
    state[k] = columns.length === 0 ? { show: true, order: i } : { show: at >= 0, order: at >= 0 ? at : columns.length + i };
  });
  return state;
}

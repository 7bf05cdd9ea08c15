// Helpers of the import wizard: spreadsheet column letters, which step a job is at, and the
// value mapping (值对应) in force.
import type { Schemas } from '../api/client';

export type ValueMap = Record<string, Record<string, string>>;

/** A column index as a spreadsheet names it: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Whether the server is still working on the job (poll it). */
export function isRunning(status?: string): boolean {
  return status === 'validating' || status === 'importing';
}

/** The wizard step (0 upload, 1 map, 2 check, 3 import) a job's status puts it at. */
export function importStep(status?: string): number {
  switch (status) {
    case undefined:
      return 0;
    case 'uploaded':
      return 1;
    case 'validating':
    case 'validated':
    case 'invalid':
    case 'failed':
    case 'interrupted':
      return 2;
    default:
      return 3;
  }
}

/** The choices in force: the user's, else remembered, else suggested; only for listed values. */
export function effectiveValues(columns: Schemas['ImportValueColumnView'][], chosen: ValueMap): ValueMap {
  const out: ValueMap = {};
  for (const c of columns) {
    for (const v of c.values) {
      // '' is the user's "none": it is not replaced by a suggestion.
      const mine = chosen[c.field]?.[v.value];
      const code = mine === undefined ? (v.remembered ?? v.suggested) : mine;
      if (code && c.choices.some((x) => x.code === code)) (out[c.field] ??= {})[v.value] = code;
    }
  }
  return out;
}


// Territory design helpers shared by the page and its map.

/** Twenty distinguishable colours; territories beyond them reuse the palette. */
const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

export function territoryColour(idx: number): string {
  return PALETTE[((idx % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** A fraction as a signed percentage: 0.0123 → "+1.23 %". */
export function signedPercent(v: number, digits = 2): string {
  const p = (v * 100).toFixed(digits);
  return `${v > 0 ? '+' : ''}${p} %`;
}

/** A fraction as a percentage without sign: 0.0123 → "1.23 %". */
export function percent(v: number, digits = 2): string {
  return `${(v * 100).toFixed(digits)} %`;
}

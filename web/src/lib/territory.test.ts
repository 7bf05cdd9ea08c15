import { describe, expect, it } from 'vitest';
import { percent, signedPercent, territoryColour } from './territory';

describe('territory helpers', () => {
  it('gives neighbouring territories different colours and wraps the palette', () => {
    expect(territoryColour(0)).not.toBe(territoryColour(1));
    expect(territoryColour(20)).toBe(territoryColour(0));
    expect(territoryColour(-1)).toBe(territoryColour(19));
  });

  it('formats deviations as percentages', () => {
    expect(signedPercent(0.0123)).toBe('+1.23 %');
    expect(signedPercent(-0.5, 1)).toBe('-50.0 %');
    expect(signedPercent(0)).toBe('0.00 %');
    expect(percent(0.3333, 1)).toBe('33.3 %');
  });
});

import { describe, expect, it } from 'vitest';
import { columnLetter, importStep, isRunning } from './imports';

describe('import helpers', () => {
  it('names columns as spreadsheets do', () => {
    expect(columnLetter(0)).toBe('A');
    expect(columnLetter(25)).toBe('Z');
    expect(columnLetter(26)).toBe('AA');
    expect(columnLetter(27)).toBe('AB');
    expect(columnLetter(701)).toBe('ZZ');
    expect(columnLetter(702)).toBe('AAA');
  });

  it('follows a job through the steps', () => {
    expect(importStep(undefined)).toBe(0);
    expect(importStep('uploaded')).toBe(1);
    expect(importStep('validating')).toBe(2);
    expect(importStep('invalid')).toBe(2);
    expect(importStep('importing')).toBe(3);
    expect(importStep('imported')).toBe(3);
    expect(isRunning('importing')).toBe(true);
    expect(isRunning('validated')).toBe(false);
  });
});

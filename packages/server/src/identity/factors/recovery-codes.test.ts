import { describe, expect, it } from 'vitest';
import { formatRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';

describe('recovery code typing', () => {
  it('accepts a code with or without dashes and spaces, in any case', () => {
    for (const typed of ['abcd-efgh-ijkl-mn23', 'ABCDEFGHIJKLMN23', ' abcd efgh ijkl mn23 ', 'AbCd-EfGh-IjKl-Mn23']) {
      expect(normalizeRecoveryCode(typed)).toBe('ABCDEFGHIJKLMN23');
    }
  });

  it('refuses what cannot be a code: wrong length, letters outside base32', () => {
    for (const typed of [undefined, '', 'abcd-efgh-ijkl', 'abcd-efgh-ijkl-mn231', 'abcd-efgh-ijkl-mn01', 'abcd_efgh_ijkl_mn23']) {
      expect(normalizeRecoveryCode(typed)).toBeUndefined();
    }
  });

  it('shows a code in four groups of four, lower case', () => {
    expect(formatRecoveryCode('ABCDEFGHIJKLMN23')).toBe('abcd-efgh-ijkl-mn23');
    expect(normalizeRecoveryCode(formatRecoveryCode('ABCDEFGHIJKLMN23'))).toBe('ABCDEFGHIJKLMN23');
  });
});

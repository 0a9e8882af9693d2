import { describe, expect, it } from 'vitest';
import { meetsOwaspArgon2id, OWASP_ARGON2ID, OWASP_ARGON2ID_CONFIGURATIONS } from './index.js';

describe('OWASP argon2id configurations', () => {
  it('lists the default among them, and every one of them meets the bar', () => {
    expect(OWASP_ARGON2ID_CONFIGURATIONS).toContainEqual(OWASP_ARGON2ID);
    for (const configuration of OWASP_ARGON2ID_CONFIGURATIONS) expect(meetsOwaspArgon2id(configuration)).toBe(true);
  });

  it('accepts stronger policies and refuses ones below every configuration', () => {
    expect(meetsOwaspArgon2id({ memoryCost: 65536, timeCost: 3, parallelism: 4 })).toBe(true);
    expect(meetsOwaspArgon2id({ memoryCost: 19456, timeCost: 1, parallelism: 1 })).toBe(false);
    expect(meetsOwaspArgon2id({ memoryCost: 7167, timeCost: 16, parallelism: 1 })).toBe(false);
    expect(meetsOwaspArgon2id({ memoryCost: 8, timeCost: 1, parallelism: 1 })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { readSettings, settingsWarnings } from './settings.js';

const read = (value: string | undefined, extra: NodeJS.ProcessEnv = {}) => readSettings({ TESSERA_ARGON2: value, ...extra });

describe('TESSERA_ARGON2', () => {
  it("defaults to OWASP's m=19456,t=2,p=1, with no warning", () => {
    expect(read(undefined).argon2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(read('').argon2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(settingsWarnings(read(undefined), 'env').join('\n')).not.toMatch(/ARGON2/);
  });

  it('takes any of m, t and p in any order, the rest from the default', () => {
    expect(read('m=47104,t=1,p=1').argon2).toEqual({ memoryCost: 47104, timeCost: 1, parallelism: 1 });
    expect(read('p=4, m=65536').argon2).toEqual({ memoryCost: 65536, timeCost: 2, parallelism: 4 });
    expect(read('t=3').argon2).toEqual({ memoryCost: 19456, timeCost: 3, parallelism: 1 });
  });

  it.each([
    ['m=19456;t=2', /must look like m=19456,t=2,p=1/],
    ['m=19456,m=47104', /each at most once/],
    ['x=1', /must look like/],
    ['m=-5', /must look like/],
    ['m=19456,t=0', /out of range/],
    ['m=16,p=4', /out of range/],
    ['m=999999999', /out of range/],
    ['t=17', /out of range/],
  ])('refuses %s, naming the variable', (value, message) => {
    expect(() => read(value)).toThrow(/^settings\.invalid: TESSERA_ARGON2: /);
    expect(() => read(value)).toThrow(message);
  });

  it('warns about a cost below every OWASP configuration, and refuses it in production', () => {
    const weak = read('m=64,t=1');
    expect(weak.argon2).toEqual({ memoryCost: 64, timeCost: 1, parallelism: 1 });
    expect(settingsWarnings(weak, 'env').join('\n')).toMatch(/TESSERA_ARGON2=m=64,t=1,p=1 is weaker than every argon2id configuration OWASP recommends/);
    expect(() => read('m=64,t=1', { NODE_ENV: 'production' })).toThrow(/settings\.invalid: TESSERA_ARGON2=m=64,t=1,p=1 is weaker .* Refused with NODE_ENV=production/);
    expect(read('m=47104,t=1', { NODE_ENV: 'production' }).argon2.memoryCost).toBe(47104);
  });
});

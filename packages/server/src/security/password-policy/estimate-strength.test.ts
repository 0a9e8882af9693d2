import { describe, expect, it } from 'vitest';
import { estimateStrength } from './estimate-strength.js';

describe('estimateStrength', () => {
  it('scores a common password 0 with a warning, and a long random passphrase 4', async () => {
    const weak = await estimateStrength('password');
    expect(weak.score).toBe(0);
    expect(weak.warning).toMatch(/common|password/i);
    const strong = await estimateStrength('quartz-lantern-oboe-mildew-73');
    expect(strong.score).toBe(4);
    expect(strong.warning).toBeNull();
  });

  it('treats the user inputs as known words', async () => {
    const without = await estimateStrength('Zanzibarque1987');
    const withName = await estimateStrength('Zanzibarque1987', ['zanzibarque']);
    expect(withName.score).toBeLessThan(without.score);
  });
});

describe('estimateStrength: bounded work', () => {
  it('estimates only the first 64 code points of a very long password', async () => {
    const long = `quartz-lantern-oboe-mildew-73${'x'.repeat(4000)}`;
    const started = performance.now();
    const result = await estimateStrength(long);
    expect(result.score).toBe(4);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

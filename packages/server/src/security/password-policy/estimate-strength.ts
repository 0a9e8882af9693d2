import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { normalizePassword } from './password-text.js';

/** zxcvbn's estimate: 0 (too guessable) … 4 (very unguessable), with its English feedback. */
export type StrengthEstimate = {
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
};

/**
 * zxcvbn's matching is super-linear and synchronous (measured: ~20–60 ms for 14–64 characters on
 * a 2-core machine, ~380 ms for 4096): only this many leading code points are estimated. A longer
 * password scores on its first 64 characters, which already reach score 4 unless they are weak.
 */
export const STRENGTH_ESTIMATE_MAX_LENGTH = 64;

let estimator: Promise<ZxcvbnFactory> | undefined;

/** Builds zxcvbn once, on first use: its dictionaries (~1 MB of words) load only when needed. */
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([
    import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en'),
  ]).then(([core, common, english]) => new core.ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  }));
  return estimator;
}

/**
 * Advisory strength for the JSON flows API — the same estimator as the browser meter. It is not a
 * rule: `checkPassword` decides. `userInputs` (username, email, name) count as known words.
 *
 * @example
 * const { score, warning, suggestions } = await estimateStrength('correct horse', ['alice']);
 */
export async function estimateStrength(password: string, userInputs: readonly (string | null | undefined)[] = []): Promise<StrengthEstimate> {
  const zxcvbn = await loadEstimator();
  const inputs = userInputs.filter((input): input is string => Boolean(input));
  const head = Array.from(normalizePassword(password)).slice(0, STRENGTH_ESTIMATE_MAX_LENGTH).join('');
  const result = zxcvbn.check(head, inputs);
  return { score: result.score, warning: result.feedback.warning, suggestions: result.feedback.suggestions };
}

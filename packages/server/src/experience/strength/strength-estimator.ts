/**
 * The estimator half of the browser meter: zxcvbn with the same dictionaries as the server's
 * estimateStrength (so both give the same score). esbuild puts it in its own chunk, which the
 * meter imports only when someone starts typing a password: ~1.7 MB (~0.85 MB gzip) of words
 * is not worth loading for every visit to the sign-in page.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

export type BrowserEstimate = { score: 0 | 1 | 2 | 3 | 4; warning: string | null; suggestions: string[] };

export function createEstimator(): (password: string, userInputs: string[]) => BrowserEstimate {
  const zxcvbn = new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary }, graphs: adjacencyGraphs, translations,
  });
  return (password, userInputs) => {
    const { score, feedback } = zxcvbn.check(password, userInputs);
    return { score, warning: feedback.warning, suggestions: feedback.suggestions };
  };
}

/**
 * Browser script (bundled by esbuild, served as /assets/password-strength.js, an ES module): a
 * strength meter for every `<input type="password" data-strength>`. Progressive enhancement — the
 * form works without it, and the server's password policy decides; this only advises.
 *
 * Output goes to `<p id="{inputId}-strength" aria-live="polite">` (created after the field unless
 * the page already has it), referenced from the field's `aria-describedby`. No inline styles or
 * markup strings: the page's CSP forbids the former, and textContent keeps feedback inert.
 */
import type { BrowserEstimate } from './strength-estimator.js';

type Estimate = (password: string, userInputs: string[]) => BrowserEstimate;

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
/** Same bound as the server's estimateStrength: zxcvbn's cost grows fast with length. */
const MAX_ESTIMATED = 64;
const DEBOUNCE_MS = 200;

let estimator: Promise<Estimate> | undefined;
/** The dictionaries load on first use, from a content-hashed chunk next to this file. */
function loadEstimator(): Promise<Estimate> {
  estimator ??= import('./strength-estimator.js').then((module) => module.createEstimator());
  return estimator;
}

/** The other fields of the form (username, email, name) count as words an attacker would know. */
function userInputs(field: HTMLInputElement): string[] {
  if (!field.form) return [];
  return Array.from(field.form.querySelectorAll<HTMLInputElement>('input'))
    .filter((input) => input !== field && !['password', 'hidden', 'submit', 'checkbox', 'radio'].includes(input.type))
    .map((input) => input.value.trim())
    .filter((value) => value.length > 0);
}

function outputFor(field: HTMLInputElement, index: number): HTMLElement {
  if (!field.id) field.id = `password-${index}`;
  const id = `${field.id}-strength`;
  let output = document.getElementById(id);
  if (!output) {
    output = document.createElement('p');
    output.id = id;
    output.className = 'strength';
    field.insertAdjacentElement('afterend', output);
  }
  output.setAttribute('aria-live', 'polite');
  const describedBy = (field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  if (!describedBy.includes(id)) field.setAttribute('aria-describedby', [...describedBy, id].join(' '));
  return output;
}

async function render(output: HTMLElement, field: HTMLInputElement): Promise<void> {
  const password = Array.from(field.value.normalize('NFKC')).slice(0, MAX_ESTIMATED).join('');
  if (password === '') {
    output.replaceChildren();
    output.removeAttribute('data-score');
    return;
  }
  const { score, warning, suggestions } = (await loadEstimator())(password, userInputs(field));
  const meter = document.createElement('meter');
  Object.assign(meter, { min: 0, max: 4, low: 2, high: 3, optimum: 4, value: score });
  meter.setAttribute('aria-hidden', 'true'); // the sentence beside it says the same to screen readers
  const text = document.createElement('span');
  text.textContent = [`Strength: ${LABELS[score]}.`, warning, ...suggestions].filter(Boolean).join(' ');
  output.setAttribute('data-score', String(score));
  output.replaceChildren(meter, ' ', text);
}

function attach(field: HTMLInputElement, index: number): void {
  const output = outputFor(field, index);
  let timer: ReturnType<typeof setTimeout> | undefined;
  field.addEventListener('focus', () => void loadEstimator().catch(() => {}), { once: true });
  field.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void render(output, field).catch(() => {}), DEBOUNCE_MS);
  });
}

document.querySelectorAll<HTMLInputElement>('input[type="password"][data-strength]').forEach(attach);

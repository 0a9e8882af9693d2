/**
 * Browser script (bundled by esbuild, served as /assets/passkeys.js, an ES module): runs the
 * WebAuthn ceremonies of the `webauthn` nodes a flow draws as `<input type="hidden"
 * data-webauthn="{options JSON}">` (experience/flow-pages.ts), and submits the authenticator's
 * answer, as JSON, in that field. The server checks everything (identity/factors/passkey.ts).
 *
 * - Registration options (they name a `user`): on submit of the field's form, create a passkey.
 * - Authentication options: on submit of the field's form ("Sign in with a passkey"), ask for one;
 *   and, in the first step (no allowCredentials), offer passkeys in the username field's
 *   autofill (conditional mediation) when the browser supports it — choosing one signs in.
 *
 * A cancelled dialog leaves the page as it was; any other failure of a ceremony the user started
 * submits the form without an answer, so the server's message (in the page's language) says what
 * went wrong. A failed autofill request changes nothing: the user did not ask for it.
 */
import {
  browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication, startRegistration,
  type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

type Options = PublicKeyCredentialCreationOptionsJSON | PublicKeyCredentialRequestOptionsJSON;

const isRegistration = (options: Options): options is PublicKeyCredentialCreationOptionsJSON => 'user' in options;

/** The user dismissed the browser's dialog, or another ceremony replaced this one: nothing to report. */
const isCancelled = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError' || (error as { code?: string }).code === 'ERROR_CEREMONY_ABORTED');

function submitWith(field: HTMLInputElement, form: HTMLFormElement, answer: unknown): void {
  field.value = answer === undefined ? '' : JSON.stringify(answer);
  form.dataset.webauthnDone = 'true';
  // form.submit() fires no submit event, so this handler does not run again.
  form.submit();
}

function enhance(field: HTMLInputElement): void {
  const form = field.form;
  if (!form) return;
  let options: Options;
  try {
    options = JSON.parse(field.dataset.webauthn ?? '') as Options;
  } catch {
    return;
  }
  let busy = false;
  const run = async (ceremony: () => Promise<unknown>) => {
    busy = true;
    try {
      submitWith(field, form, await ceremony());
    } catch (error) {
      if (isCancelled(error)) return;
      submitWith(field, form, undefined);
    } finally {
      busy = false;
    }
  };

  form.addEventListener('submit', (event) => {
    // Without WebAuthn the form goes as it is, and the server says passkeys need a browser that supports them.
    if (!browserSupportsWebAuthn() || form.dataset.webauthnDone) return;
    event.preventDefault();
    if (busy) return;
    void run(() => isRegistration(options)
      ? startRegistration({ optionsJSON: options })
      : startAuthentication({ optionsJSON: options as PublicKeyCredentialRequestOptionsJSON }));
  });

  // Conditional UI (WebAuthn §5.1.4, mediation "conditional"): passkeys among the username field's suggestions.
  if (isRegistration(options) || options.allowCredentials?.length) return;
  if (!document.querySelector('input[autocomplete$="webauthn"]')) return;
  void browserSupportsWebAuthnAutofill().then((supported) => {
    if (!supported) return;
    document.documentElement.dataset.passkeyAutofill = 'waiting';
    return startAuthentication({ optionsJSON: options as PublicKeyCredentialRequestOptionsJSON, useBrowserAutofill: true })
      .then((answer) => submitWith(field, form, answer))
      // Nobody asked for this one: when it fails (no passkey picked, a host that cannot have passkeys), the page stays as it is.
      .catch(() => { delete document.documentElement.dataset.passkeyAutofill; });
  });
}

document.querySelectorAll<HTMLInputElement>('input[data-webauthn]').forEach(enhance);

import { createHmac } from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type AuthenticatorTransport, type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { createFactorRepository, type UserFactor } from '../../db/repositories/factors.js';
import { createUserRepository, type User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { textFor, type FlowText, type PageKey } from '../flows/flow-text.js';
import type { FlowInput } from '../flows/flow-types.js';
import { field, type Node } from '../flows/flow-ui.js';
import { removeFactor } from './remove-factor.js';
import type { FactorManager, ManageResult } from './factor-manager.js';
import { storedFactorEnrolled, type FactorOutcome, type FactorStrategy, type SignInStep } from './factor-strategy.js';
import { acceptSecondStep, refuseSecondStep, secondStepGate } from './totp.js';

const METHOD = 'passkey';
/** The field the page script (experience/passkeys/passkey-script.ts) fills with the authenticator's answer (JSON). */
export const WEBAUTHN_FIELD = 'webauthn_response';
/** How long the browser may wait for the authenticator, and how long a challenge stays good (WebAuthn §5.4.1 `timeout`). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** An answer is a few kilobytes at most; anything bigger is not one. */
const MAX_RESPONSE_CHARS = 64 * 1024;
const MAX_NAME = 100;

/** What the flow keeps between showing options and receiving the answer (flows.data.passkey / .passkeyRegistration). */
interface PendingChallenge { challenge: string; issuedAt: number }

/** The relying party: this server's public URL. RP ID = its host name, origin = its origin (WebAuthn §5.1.4, §7.1 step 9). */
export function relyingParty(ctx: RequestContext): { rpID: string; origin: string; rpName: string } {
  const url = new URL(ctx.deps.publicUrl);
  return { rpID: url.hostname, origin: url.origin, rpName: ctx.settings.mfa.passkeys.rpName ?? (ctx.tenant.name || ctx.tenant.id) };
}

/**
 * The WebAuthn user handle of a user: stable, opaque, and no personal data (WebAuthn §14.6.1) —
 * an HMAC of the tenant and user ids under the server key, so it reveals neither.
 */
export function userHandleOf(ctx: RequestContext, userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHmac('sha256', ctx.deps.secretKey).update(`webauthn user handle\0${ctx.tenant.id}\0${userId}`).digest());
}

const transportsOf = (factor: UserFactor): AuthenticatorTransport[] =>
  Array.isArray(factor.data.transports) ? factor.data.transports.filter((t): t is AuthenticatorTransport => typeof t === 'string') : [];

/** `hwk` for a passkey bound to one device, `swk` for one synced between devices (RFC 8176 §2). */
const amrOf = (deviceType: string): string[] => [deviceType === 'singleDevice' ? 'hwk' : 'swk'];

const pendingOf = (value: unknown): PendingChallenge | undefined => {
  const pending = value as Partial<PendingChallenge> | null | undefined;
  return typeof pending?.challenge === 'string' && typeof pending.issuedAt === 'number' ? { challenge: pending.challenge, issuedAt: pending.issuedAt } : undefined;
};

/** The submitted answer as JSON, or undefined when it is missing or not an object with an id. */
function parseResponse<T extends { id: string }>(value: string | undefined): T | undefined {
  if (!value || value.length > MAX_RESPONSE_CHARS) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' && typeof (parsed as { id?: unknown }).id === 'string' ? parsed as T : undefined;
  } catch {
    return undefined;
  }
}

/** Why @simplewebauthn refused an answer, as a short reason for the audit log (never the answer itself). */
export function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'UnexpectedRPIDHash') return 'wrong_rp_id';
  const text = error instanceof Error ? error.message : String(error);
  // Matched on the fixed start of @simplewebauthn's messages, never on the values they quote.
  if (/^Unexpected \w+ response challenge|^Custom challenge verifier/.test(text)) return 'wrong_challenge';
  if (/^Unexpected \w+ response origin|^Unexpected (cross-origin|top origin)|cross-origin/.test(text)) return 'wrong_origin';
  if (/^Response counter value/.test(text)) return 'counter_regression';
  if (/^User verification/.test(text)) return 'user_not_verified';
  if (/^Unexpected \w+ response type/.test(text)) return 'wrong_type';
  return 'invalid_response';
}

const MESSAGE_OF: Record<string, PageKey> = {
  missing_response: 'mfa.passkey_missing',
  challenge_expired: 'mfa.passkey_expired',
  no_challenge: 'mfa.passkey_expired',
  unknown_credential: 'mfa.passkey_unknown',
  foreign_credential: 'mfa.passkey_unknown',
  counter_regression: 'mfa.passkey_cloned',
};

// --- Sign-in ---------------------------------------------------------------------------------

async function authenticationNode(ctx: RequestContext, text: FlowText, allow: UserFactor[]): Promise<{ node: Node; pending: PendingChallenge }> {
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(ctx).rpID,
    // Empty in the first step: the authenticator offers the discoverable credentials it holds for this site (WebAuthn §5.1.4.1).
    allowCredentials: allow.map((factor) => ({ id: factor.credentialId!, transports: transportsOf(factor) })),
    userVerification: 'required',
    timeout: CHALLENGE_TTL_MS,
  });
  const node: Node = { ...field(WEBAUTHN_FIELD, 'webauthn', text.t('label.passkey'), { required: false, value: JSON.stringify(options) }), group: METHOD };
  return { node, pending: { challenge: options.challenge, issuedAt: ctx.now.getTime() } };
}

/**
 * A refused passkey sign-in: audited (`mfa.failed`, method passkey, the reason, never the answer)
 * and, when the account is known, counted toward its brute-force limits (ASVS V2.2.1).
 */
async function refuse(ctx: RequestContext, user: User | undefined, reason: string): Promise<FactorOutcome> {
  const message = textFor(ctx).error(MESSAGE_OF[reason] ?? 'mfa.passkey_failed');
  if (user) return refuseSecondStep(ctx, user, METHOD, reason, message);
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.failed', outcome: 'failure', actor: null, subject: null,
    correlationId: ctx.correlationId, data: { method: METHOD, reason, ip: ctx.ip } });
  return { kind: 'refused', status: 400, message };
}

/**
 * Checks an assertion (WebAuthn §7.2) against the flow's challenge, this server's origin and RP
 * ID, with user verification required, and moves the credential's signature counter forward.
 */
async function verifyAssertion(ctx: RequestContext, step: SignInStep, flowData: Record<string, unknown>, input: FlowInput,
  stepUser: User | undefined): Promise<FactorOutcome> {
  const response = parseResponse<AuthenticationResponseJSON>(input[WEBAUTHN_FIELD]);
  // The account's brute-force gate first when it is known (the second step), so a blocked account learns nothing more.
  const stepGate = stepUser ? await secondStepGate(ctx, stepUser, METHOD) : undefined;
  if (stepGate?.refused) return stepGate.refused;
  if (!response) return refuse(ctx, stepUser, 'missing_response');

  const repo = createFactorRepository(ctx.deps.db);
  const factor = await repo.findByCredentialId(ctx.tenant.id, response.id);
  if (!factor || !factor.confirmed || !factor.publicKey) return refuse(ctx, stepUser, 'unknown_credential');
  // In the second step the passkey must be the signed-in user's own (a stolen or shared credential of another account proves nothing).
  if (stepUser && factor.userId !== stepUser.id) return refuse(ctx, stepUser, 'foreign_credential');
  const user = stepUser ?? await createUserRepository(ctx.deps.db).find(ctx.tenant.id, factor.userId);
  if (!user) return refuse(ctx, undefined, 'unknown_credential');
  if (user.disabled) {
    await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.failed', outcome: 'failure', actor: user.id, subject: user.id,
      correlationId: ctx.correlationId, data: { method: METHOD, reason: 'account_disabled', ip: ctx.ip } });
    return { kind: 'refused', status: 403, message: textFor(ctx).error('account.disabled') };
  }
  const gate = stepGate ?? await secondStepGate(ctx, user, METHOD);
  if (gate.refused) return gate.refused;
  const pending = pendingOf(flowData.passkey);
  if (!pending) return refuse(ctx, user, 'no_challenge');
  // A challenge is good for the ceremony's timeout only (WebAuthn §13.4.3).
  if (ctx.now.getTime() - pending.issuedAt > CHALLENGE_TTL_MS) return refuse(ctx, user, 'challenge_expired');

  // A discoverable credential names its user: it must be the one the credential was registered to (WebAuthn §7.2 step 6).
  const handle = response.response?.userHandle;
  if (handle && !isoBase64URL.isBase64URL(handle)) return refuse(ctx, user, 'invalid_response');
  if (handle && isoBase64URL.fromBuffer(userHandleOf(ctx, user.id)) !== handle) return refuse(ctx, user, 'user_handle_mismatch');

  const { rpID, origin } = relyingParty(ctx);
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response, expectedChallenge: pending.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
      credential: { id: factor.credentialId!, publicKey: isoBase64URL.toBuffer(factor.publicKey), counter: factor.counter, transports: transportsOf(factor) },
    });
  } catch (error) {
    return refuse(ctx, user, reasonOf(error));
  }
  if (!verified.verified) return refuse(ctx, user, 'invalid_signature');
  // A signature counter that did not grow means a cloned authenticator (WebAuthn §6.1.1); 0 = the authenticator keeps none.
  if (!(await repo.advanceCounter(factor.id, verified.authenticationInfo.newCounter, ctx.now))) {
    return refuse(ctx, user, 'counter_regression');
  }
  await acceptSecondStep(ctx, user, gate.clean, { method: METHOD, factorId: factor.id, step });
  return { kind: 'verified', user, amr: amrOf(verified.authenticationInfo.credentialDeviceType), factorId: factor.id };
}

/**
 * A passkey (WebAuthn): on its own in the first step — discoverable credentials, user
 * verification required, so it is two factors in one (NIST SP 800-63B §5.1.9) — or as the
 * second step after a password. Phishing-resistant: the browser binds it to this origin.
 */
export const passkeyFactor: FactorStrategy = {
  method: METHOD,
  firstFactor: true,
  secondFactor: true,
  strong: true,
  storedKind: 'passkey',
  isEnrolled: storedFactorEnrolled('passkey'),
  async form(ctx, step, user) {
    const allow = step === 'second' && user ? await createFactorRepository(ctx.deps.db).listForUser(ctx.tenant.id, user.id, { kind: 'passkey' }) : [];
    if (step === 'second' && !allow.length) return { nodes: [] };
    const { node, pending } = await authenticationNode(ctx, textFor(ctx), allow);
    return { nodes: [node], data: { passkey: pending } };
  },
  async submit(ctx, step, flow, input, user) {
    if (input.method !== METHOD) return { kind: 'not_mine' };
    if (step === 'second' && !user) return { kind: 'not_mine' };
    return verifyAssertion(ctx, step, flow.data, input, step === 'second' ? user : undefined);
  },
};

// --- Security page -----------------------------------------------------------------------------

const actionNode = (group: string, action: string): Node => ({ ...field('action', 'hidden', '', { value: action }), group });

function formatDate(date: Date | null, text: FlowText): string {
  return date ? new Intl.DateTimeFormat(text.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC'
    : text.t('label.never_used');
}

const registrationGroups = (text: FlowText) => ({ [METHOD]: { title: text.t('method.passkey'), submitLabel: text.t('button.passkey_create') } });

/** The registration form: the options for navigator.credentials.create() (the page script runs it), and a name. */
async function startRegistration(ctx: RequestContext, user: User, name?: string): Promise<ManageResult> {
  const text = textFor(ctx);
  const { rpID, rpName } = relyingParty(ctx);
  const existing = await createFactorRepository(ctx.deps.db).listForUser(ctx.tenant.id, user.id, { kind: 'passkey' });
  const settings = ctx.settings.mfa.passkeys;
  const options = await generateRegistrationOptions({
    rpName, rpID,
    userID: userHandleOf(ctx, user.id),
    userName: user.username ?? user.email ?? user.id,
    userDisplayName: user.name ?? user.username ?? user.email ?? '',
    // `none` by default: no device details are asked for; `direct` only to enforce an AAGUID allow-list.
    attestationType: settings.attestation,
    // The same authenticator twice is refused by the browser (WebAuthn §5.4.3).
    excludeCredentials: existing.map((factor) => ({ id: factor.credentialId!, transports: transportsOf(factor) })),
    // Discoverable, so it can sign in without a username; verified with biometrics or a PIN.
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    timeout: CHALLENGE_TTL_MS,
  });
  const nodes: Node[] = [
    field(WEBAUTHN_FIELD, 'webauthn', text.t('label.passkey'), { required: false, value: JSON.stringify(options) }),
    field('name', 'text', `${text.t('label.passkey_name')} ${text.t('label.optional')}`, { required: false, value: name ?? '' }),
    actionNode(METHOD, 'finish'),
  ].map((node) => ({ ...node, group: METHOD }));
  return { status: 200, messages: [text.info('passkey.create')], nodes, groups: registrationGroups(text),
    data: { passkeyRegistration: { challenge: options.challenge, issuedAt: ctx.now.getTime() } satisfies PendingChallenge } };
}

/** An enrolment attempt refused: audited (`mfa.failed`, stage enrolment), and a new challenge to try again with (each is used once). */
async function refuseRegistration(ctx: RequestContext, user: User, reason: string, key: PageKey, name: string, status = 400): Promise<ManageResult> {
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.failed', outcome: 'failure', actor: user.id, subject: user.id,
    correlationId: ctx.correlationId, data: { method: METHOD, reason, stage: 'enrolment', ip: ctx.ip } });
  const again = await startRegistration(ctx, user, name);
  return { ...again, status, messages: [textFor(ctx).error(key)] };
}

async function finishRegistration(ctx: RequestContext, user: User, input: FlowInput, data: Record<string, unknown>): Promise<ManageResult> {
  const text = textFor(ctx);
  const name = (input.name ?? '').trim();
  const pending = pendingOf(data.passkeyRegistration);
  if (!pending) return { status: 400, messages: [text.error('passkey.no_registration')], data: { passkeyRegistration: null } };
  if ([...name].length > MAX_NAME) {
    const again = await startRegistration(ctx, user, name);
    return { ...again, status: 400, messages: [], fieldErrors: { name: text.error('field.too_long.characters', { max: MAX_NAME }) } };
  }
  const response = parseResponse<RegistrationResponseJSON>(input[WEBAUTHN_FIELD]);
  if (!response) return refuseRegistration(ctx, user, 'missing_response', 'mfa.passkey_missing', name);
  if (ctx.now.getTime() - pending.issuedAt > CHALLENGE_TTL_MS) return refuseRegistration(ctx, user, 'challenge_expired', 'mfa.passkey_expired', name);

  const { rpID, origin } = relyingParty(ctx);
  let verified;
  try {
    verified = await verifyRegistrationResponse({ response, expectedChallenge: pending.challenge, expectedOrigin: origin, expectedRPID: rpID,
      requireUserVerification: true });
  } catch (error) {
    return refuseRegistration(ctx, user, reasonOf(error), 'mfa.passkey_failed', name);
  }
  if (!verified.verified) return refuseRegistration(ctx, user, 'invalid_attestation', 'mfa.passkey_failed', name);
  const info = verified.registrationInfo;
  const allowed = ctx.settings.mfa.passkeys.allowedAaguids;
  // Authenticator models the tenant allows (ASVS V2.7 / NIST SP 800-63B §5.1.8.1); the AAGUID is trustworthy only with attestation `direct`.
  if (allowed.length && !allowed.includes(info.aaguid)) return refuseRegistration(ctx, user, 'aaguid_not_allowed', 'passkey.not_allowed', name, 403);
  const repo = createFactorRepository(ctx.deps.db);
  if (await repo.findByCredentialId(ctx.tenant.id, info.credential.id)) {
    return refuseRegistration(ctx, user, 'already_registered', 'passkey.already_registered', name, 409);
  }

  const factor = await ctx.deps.db.transaction().execute(async (trx) => {
    const created = await createFactorRepository(trx).insert({
      tenantId: ctx.tenant.id, userId: user.id, kind: 'passkey', name: name || text.t('passkey.default_name'),
      credentialId: info.credential.id, publicKey: isoBase64URL.fromBuffer(info.credential.publicKey), counter: info.credential.counter,
      data: { transports: info.credential.transports ?? [], aaguid: info.aaguid, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp,
        attestation: info.fmt },
      confirmed: true, now: ctx.now,
    });
    await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'mfa.enrolled', actor: user.id, subject: user.id, correlationId: ctx.correlationId,
      data: { method: METHOD, factorId: created.id, aaguid: info.aaguid, deviceType: info.credentialDeviceType, ip: ctx.ip } });
    return created;
  });
  return { status: 200, messages: [text.success('passkey.enrolled')], amr: amrOf(String(factor.data.deviceType)), data: { passkeyRegistration: null } };
}

async function ownPasskey(ctx: RequestContext, user: User, id: string | undefined): Promise<UserFactor | undefined> {
  const factor = id ? await createFactorRepository(ctx.deps.db).find(ctx.tenant.id, user.id, id) : undefined;
  return factor?.kind === METHOD ? factor : undefined;
}

async function renamePasskey(ctx: RequestContext, user: User, input: FlowInput): Promise<ManageResult> {
  const text = textFor(ctx);
  const factor = await ownPasskey(ctx, user, input.item);
  if (!factor) return { status: 404, messages: [text.error('mfa.factor_not_found')] };
  const name = (input.name ?? '').trim();
  if (!name) return { status: 400, messages: [], fieldErrors: { name: text.error('field.required') } };
  if ([...name].length > MAX_NAME) return { status: 400, messages: [], fieldErrors: { name: text.error('field.too_long.characters', { max: MAX_NAME }) } };
  await createFactorRepository(ctx.deps.db).rename(factor.id, name);
  return { status: 200, messages: [text.success('passkey.renamed')] };
}


/**
 * Passkeys on the security page: each with its name, when it was added and last used, a rename
 * form (`passkey:{id}:rename`) and a remove button (`passkey:{id}`), and "add a passkey".
 */
export const passkeyManager: FactorManager = {
  method: METHOD,
  async section(ctx, user) {
    const text = textFor(ctx);
    const factors = await createFactorRepository(ctx.deps.db).listForUser(ctx.tenant.id, user.id, { kind: 'passkey' });
    const nodes: Node[] = [];
    const groups: Record<string, { title: string; submitLabel: string }> = {};
    for (const factor of factors) {
      const group = `${METHOD}:${factor.id}`;
      const rename = `${group}:rename`;
      groups[group] = { title: factor.name, submitLabel: text.t('button.remove') };
      groups[rename] = { title: '', submitLabel: text.t('button.passkey_rename') };
      nodes.push(
        { ...field('added', 'display', text.t('label.factor_added'), { required: false, value: formatDate(factor.createdAt, text) }), group },
        { ...field('last_used', 'display', text.t('label.factor_last_used'), { required: false, value: formatDate(factor.lastUsedAt, text) }), group },
        actionNode(group, 'remove'),
        { ...field('name', 'text', text.t('label.passkey_name'), { value: factor.name }), group: rename },
        actionNode(rename, 'rename'),
      );
    }
    groups[METHOD] = { title: text.t('method.passkey'), submitLabel: text.t('button.passkey_add') };
    nodes.push(actionNode(METHOD, 'add'));
    return { nodes, groups };
  },
  async enrolledCount(ctx, user) {
    return (await createFactorRepository(ctx.deps.db).listForUser(ctx.tenant.id, user.id, { kind: 'passkey' })).length;
  },
  async act(ctx, user, action, input, data) {
    if (action === 'add') return startRegistration(ctx, user);
    if (action === 'finish') return finishRegistration(ctx, user, input, data);
    if (action === 'rename') return renamePasskey(ctx, user, input);
    if (action === 'remove') return removeFactor(ctx, user, 'passkey', METHOD, input.item, 'passkey.removed');
    return { status: 400, messages: [textFor(ctx).error('mfa.unknown_action')] };
  },
  changes(action) {
    // Renaming changes no way of signing in; adding and removing do (ASVS V3.7.1).
    return action === 'add' || action === 'finish' || action === 'remove';
  },
};

import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { cose, isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator for API tests: it answers the options Tessera puts in a
 * `webauthn` node the way a browser and a platform authenticator would (WebAuthn §6.1, §6.5,
 * §7), with an ES256 key from node:crypto, `none` attestation, and user verification. Tests
 * bend one part of an answer at a time (origin, RP ID, challenge, counter) to see it refused.
 */

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export const TEST_AAGUID = '6e3f1b0a-7c2d-4f1e-9a4b-2b5c8d7e9f10';

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => isoBase64URL.fromBuffer(new Uint8Array(data));

export interface StoredCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

/** Changes to one ceremony's answer. */
export interface Tweak {
  origin?: string;
  /** The RP ID whose hash goes into the authenticator data (default: the options' RP ID). */
  rpId?: string;
  /** Another challenge than the options' (base64url). */
  challenge?: string;
  /** Sign with this counter (default: the next one). */
  counter?: number;
  /** Leave user verification out (UV flag clear). */
  noUserVerification?: boolean;
  type?: string;
}

export interface SoftAuthenticatorOptions {
  /** The origin the "browser" reports (clientDataJSON.origin). */
  origin: string;
  /** Synced (multi-device) passkeys set the backup flags (→ amr `swk`); default false (→ `hwk`). */
  synced?: boolean;
  aaguid?: string;
  /** 0 = an authenticator without a signature counter. Default: counts from 1. */
  countsFrom?: number;
}

type CreationOptions = { challenge: string; rp: { id?: string; name: string }; user: { id: string; name: string } };
type RequestOptions = { challenge: string; rpId?: string; allowCredentials?: { id: string }[] };

export function createSoftAuthenticator(options: SoftAuthenticatorOptions) {
  const credentials: StoredCredential[] = [];
  const aaguid = Buffer.from((options.aaguid ?? TEST_AAGUID).replaceAll('-', ''), 'hex');
  const flags = (at: boolean, tweak: Tweak) => FLAG_UP | (tweak.noUserVerification ? 0 : FLAG_UV) | (options.synced ? FLAG_BE | FLAG_BS : 0) | (at ? FLAG_AT : 0);
  const counterBytes = (value: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return bytes;
  };
  const clientData = (type: string, challenge: string, tweak: Tweak) =>
    Buffer.from(JSON.stringify({ type: tweak.type ?? type, challenge: tweak.challenge ?? challenge, origin: tweak.origin ?? options.origin, crossOrigin: false }));

  return {
    credentials,
    /** navigator.credentials.create(): a new discoverable credential, answered as RegistrationResponseJSON. */
    create(optionsJson: string | CreationOptions, tweak: Tweak = {}) {
      const creation = typeof optionsJson === 'string' ? JSON.parse(optionsJson) as CreationOptions : optionsJson;
      const rpId = creation.rp.id ?? new URL(options.origin).hostname;
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const coseKey = new Map<number, number | Uint8Array>([
        [cose.COSEKEYS.kty, cose.COSEKTY.EC2], [cose.COSEKEYS.alg, cose.COSEALG.ES256], [cose.COSEKEYS.crv, cose.COSECRV.P256],
        [cose.COSEKEYS.x, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))], [cose.COSEKEYS.y, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]);
      const credentialId = randomBytes(16);
      const counter = options.countsFrom ?? 1;
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const authData = Buffer.concat([sha256(tweak.rpId ?? rpId), Buffer.from([flags(true, tweak)]), counterBytes(counter), aaguid, idLength, credentialId,
        Buffer.from(isoCBOR.encode(coseKey))]);
      const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(authData)]]) as never);
      const id = b64url(credentialId);
      credentials.push({ id, rpId, userHandle: creation.user.id, privateKey, counter });
      return {
        id, rawId: id, type: 'public-key', authenticatorAttachment: 'platform', clientExtensionResults: {},
        response: { clientDataJSON: b64url(clientData('webauthn.create', creation.challenge, tweak)), attestationObject: b64url(attestationObject),
          transports: ['internal'] },
      };
    },
    /**
     * navigator.credentials.get(): an assertion by `credential` (default: the first allowed, else
     * the first stored), answered as AuthenticationResponseJSON; the counter moves on.
     */
    get(optionsJson: string | RequestOptions, tweak: Tweak = {}, credential?: StoredCredential) {
      const request = typeof optionsJson === 'string' ? JSON.parse(optionsJson) as RequestOptions : optionsJson;
      const allowed = request.allowCredentials?.map((c) => c.id) ?? [];
      const chosen = credential ?? credentials.find((c) => !allowed.length || allowed.includes(c.id));
      if (!chosen) throw new Error('no credential for these options');
      const counter = tweak.counter ?? (chosen.counter === 0 && options.countsFrom === 0 ? 0 : chosen.counter + 1);
      chosen.counter = counter;
      const authData = Buffer.concat([sha256(tweak.rpId ?? request.rpId ?? chosen.rpId), Buffer.from([flags(false, tweak)]), counterBytes(counter)]);
      const clientDataJSON = clientData('webauthn.get', request.challenge, tweak);
      const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), chosen.privateKey);
      return {
        id: chosen.id, rawId: chosen.id, type: 'public-key', authenticatorAttachment: 'platform', clientExtensionResults: {},
        response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), userHandle: chosen.userHandle },
      };
    },
  };
}

export type SoftAuthenticator = ReturnType<typeof createSoftAuthenticator>;

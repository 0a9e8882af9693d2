import { describe, expect, it } from 'vitest';
import { assertKnownHash, COST_LIMITS, identify, PasswordHashError, type PasswordHashErrorCode } from './index.js';

const b64 = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
const ab64 = (bytes: number) => b64(bytes).replace(/=+$/, '').replaceAll('+', '.');
const unpadded = (bytes: number) => b64(bytes).replace(/=+$/, '');
const bcryptTail = 'R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
const argon2Tail = `$${unpadded(16)}$${unpadded(32)}`;
const itoa64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function aspnetV3(prf: number, iterations: number, saltLength = 16, subkeyLength = 32): string {
  const header = Buffer.alloc(13);
  header[0] = 1;
  header.writeUInt32BE(prf, 1);
  header.writeUInt32BE(iterations, 5);
  header.writeUInt32BE(saltLength, 9);
  return Buffer.concat([header, Buffer.alloc(saltLength + subkeyLength, 3)]).toString('base64');
}

function refusal(hash: string): PasswordHashErrorCode | 'accepted' {
  try {
    assertKnownHash(hash);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(PasswordHashError);
    return (error as PasswordHashError).code;
  }
}

describe('identify', () => {
  it('recognises formats by shape only, without checking cost or encoding', () => {
    expect(identify(`$2b$31$${bcryptTail}`)).toBe('bcrypt');
    expect(identify('$argon2id$v=19$m=1,t=1,p=1$x$y')).toBe('argon2id');
    expect(identify('pbkdf2_sha256$1$s$broken')).toBe('pbkdf2-sha256-django');
    expect(identify('bcrypt_sha256$$2b$')).toBe('bcrypt-sha256-django');
    expect(identify('$pbkdf2$1$a$b')).toBe('pbkdf2-sha1-passlib');
    expect(identify(aspnetV3(1, 10_000))).toBe('aspnet-identity-v3');
    expect(identify(Buffer.alloc(49).toString('base64'))).toBe('aspnet-identity-v2');
  });

  it('returns undefined for unknown formats and non-strings', () => {
    for (const hash of ['', 'password', '$1$saltsalt$hash', '{SSHA}abc', '$apr1$x$y', 'md5$salt$abc', 'c2hvcnQ=']) {
      expect(identify(hash), hash).toBeUndefined();
    }
    expect(identify(42 as unknown as string)).toBeUndefined();
  });
});

describe('assertKnownHash', () => {
  it('names unknown formats clearly', () => {
    expect(() => assertKnownHash('$1$saltsalt$hash')).toThrow(/Unknown password hash format/);
    expect(refusal('{SSHA}abc')).toBe('password_hash.unknown_format');
  });

  it('refuses malformed hashes of a known format, saying which format', () => {
    expect(() => assertKnownHash('$2b$10$short')).toThrow(/Malformed bcrypt hash/);
    const malformed = [
      '$2b$03$' + bcryptTail,
      '$2x$10$' + bcryptTail,
      '$argon2id$v=19$m=65536,t=2$' + unpadded(16),
      '$argon2id$v=20$m=1024,t=1,p=1' + argon2Tail,
      '$argon2id$v=19$m=4,t=1,p=1' + argon2Tail,
      `pbkdf2_sha256$0$salt$${b64(32)}`,
      `pbkdf2_sha256$1000$salt$${b64(20)}`,
      `pbkdf2_sha1$1000$$${b64(20)}`,
      `$pbkdf2-sha512$1000$${ab64(16)}$${ab64(32)}`,
      `$scrypt$ln=x,r=8,p=1$${unpadded(16)}$${unpadded(32)}`,
      `$firebase-scrypt$v=2,ln=14,r=8$${b64(8)}$Bw==$${b64(64)}$${b64(64)}`,
      `$firebase-scrypt$v=1,ln=14,r=8$${b64(8)}$Bw==$${b64(64)}$${b64(32)}`,
      aspnetV3(3, 1000),
      aspnetV3(1, 1000, 8),
      '$P$' + itoa64[6] + 'a'.repeat(30),
      '$P$Babc',
      '$6$rounds=999$salt$' + 'a'.repeat(86),
      '$5$salt$' + 'a'.repeat(86),
    ];
    for (const hash of malformed) expect(refusal(hash), hash).toBe('password_hash.malformed');
  });

  it('refuses cost parameters above the caps, so an imported hash cannot exhaust CPU or memory', () => {
    const over = [
      `$2b$${COST_LIMITS.bcryptCost + 1}$${bcryptTail}`,
      `$argon2id$v=19$m=${COST_LIMITS.argon2MemoryKiB + 1},t=1,p=1${argon2Tail}`,
      `$argon2id$v=19$m=65536,t=${COST_LIMITS.argon2TimeCost + 1},p=1${argon2Tail}`,
      `$argon2i$v=19$m=65536,t=1,p=${COST_LIMITS.argon2Parallelism + 1}${argon2Tail}`,
      `argon2$argon2id$v=19$m=${COST_LIMITS.argon2MemoryKiB * 4},t=2,p=8${argon2Tail}`,
      `pbkdf2_sha256$${COST_LIMITS.pbkdf2Iterations + 1}$salt$${b64(32)}`,
      `$pbkdf2-sha256$${COST_LIMITS.pbkdf2Iterations + 1}$${ab64(16)}$${ab64(32)}`,
      `$scrypt$ln=${COST_LIMITS.scryptLogN + 1},r=1,p=1$${unpadded(16)}$${unpadded(32)}`,
      `$scrypt$ln=20,r=8,p=1$${unpadded(16)}$${unpadded(32)}`, // 1 GiB of memory
      `$scrypt$ln=10,r=8,p=${COST_LIMITS.scryptParallelism + 1}$${unpadded(16)}$${unpadded(32)}`,
      `$firebase-scrypt$v=1,ln=${COST_LIMITS.scryptLogN + 1},r=8$${b64(8)}$Bw==$${b64(64)}$${b64(64)}`,
      aspnetV3(2, COST_LIMITS.pbkdf2Iterations + 1),
      `$P$${itoa64[COST_LIMITS.phpassLogRounds + 1]}${'a'.repeat(30)}`,
      `$6$rounds=${COST_LIMITS.shaCryptRounds + 1}$salt$${'a'.repeat(86)}`,
    ];
    for (const hash of over) expect(refusal(hash), hash).toBe('password_hash.cost_too_high');
    expect(() => assertKnownHash(`$2b$20$${bcryptTail}`)).toThrow(/asks for too much work: cost 20 exceeds 16/);
  });

  it('accepts hashes right at the caps', () => {
    expect(refusal(`$2b$${COST_LIMITS.bcryptCost}$${bcryptTail}`)).toBe('accepted');
    expect(refusal(`pbkdf2_sha256$${COST_LIMITS.pbkdf2Iterations}$salt$${b64(32)}`)).toBe('accepted');
    expect(refusal(`$scrypt$ln=${COST_LIMITS.scryptLogN},r=2,p=1$${unpadded(16)}$${unpadded(32)}`)).toBe('accepted');
    expect(refusal(`$6$rounds=${COST_LIMITS.shaCryptRounds}$salt$${'a'.repeat(86)}`)).toBe('accepted');
  });

  it('never echoes the digest in its message', () => {
    const digest = b64(32);
    const hash = `pbkdf2_sha256$${COST_LIMITS.pbkdf2Iterations + 1}$salt$${digest}`;
    expect(() => assertKnownHash(hash)).toThrow(PasswordHashError);
    expect(() => assertKnownHash(hash)).not.toThrow(digest);
  });
});

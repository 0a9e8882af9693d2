import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { COST_LIMITS } from '../limits.js';
import { costTooHigh, malformed } from '../password-hash-error.js';
import type { ParsedHash, Scheme } from '../scheme.js';
import type { SchemeId } from '../scheme-id.js';

/** Modular crypt bcrypt: `$2b$<cost>$<22 salt chars><31 digest chars>` (bcrypt's own base64). */
const MCF = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

function parseBcrypt(hash: string, label: string): void {
  const match = MCF.exec(hash);
  if (!match) throw malformed(label, 'expected $2a$, $2b$ or $2y$, a two-digit cost and 53 characters of salt and digest');
  const cost = Number(match[1]);
  if (cost < 4) throw malformed(label, `cost ${cost} is below bcrypt's minimum of 4`);
  if (cost > COST_LIMITS.bcryptCost) throw costTooHigh(label, `cost ${cost} exceeds ${COST_LIMITS.bcryptCost}`);
}

/** bcryptjs hashes the UTF-8 bytes and, like OpenBSD bcrypt, uses only the first 72 of them. */
function verifyBcrypt(hash: string, secret: string): Promise<boolean> {
  return bcrypt.compare(secret, hash).catch(() => false);
}

function bcryptFamily(id: SchemeId, prefix: string, label: string, prehash: (password: string) => string): Scheme {
  return {
    id,
    madeFrom: 'raw',
    matches: (hash) => hash.startsWith(`${prefix}$2`),
    parse(hash): ParsedHash {
      const mcf = hash.slice(prefix.length);
      parseBcrypt(mcf, label);
      return { scheme: id, verify: (password) => verifyBcrypt(mcf, prehash(password)) };
    },
  };
}

/** Plain bcrypt, as written by OpenBSD, PHP's password_hash, passlib, Node's bcrypt and Auth0 exports. */
export const bcryptScheme = bcryptFamily('bcrypt', '', 'bcrypt', (password) => password);

/** Django's BCryptPasswordHasher: `bcrypt$` + the bcrypt string of the raw password. */
export const bcryptDjangoScheme = bcryptFamily('bcrypt-django', 'bcrypt$', 'Django bcrypt', (password) => password);

/**
 * Django's BCryptSHA256PasswordHasher: `bcrypt_sha256$` + bcrypt of the lowercase hex SHA-256 of
 * the UTF-8 password (`binascii.hexlify(hashlib.sha256(password).digest())`), which avoids
 * bcrypt's 72-byte truncation. Django kept this construction unchanged since 1.6.
 */
export const bcryptSha256DjangoScheme = bcryptFamily('bcrypt-sha256-django', 'bcrypt_sha256$', 'Django bcrypt_sha256', (password) =>
  createHash('sha256').update(password, 'utf8').digest('hex'),
);

import type { Scheme } from './scheme.js';
import { argon2DjangoScheme, argon2dScheme, argon2idScheme, argon2iScheme } from './schemes/argon2.js';
import { aspnetIdentityV2Scheme, aspnetIdentityV3Scheme } from './schemes/aspnet-identity.js';
import { bcryptDjangoScheme, bcryptScheme, bcryptSha256DjangoScheme } from './schemes/bcrypt.js';
import { firebaseScryptScheme } from './schemes/firebase-scrypt.js';
import { pbkdf2Sha1DjangoScheme, pbkdf2Sha256DjangoScheme } from './schemes/pbkdf2-django.js';
import { pbkdf2Sha1PasslibScheme, pbkdf2Sha256PasslibScheme, pbkdf2Sha512PasslibScheme } from './schemes/pbkdf2-passlib.js';
import { phpassScheme } from './schemes/phpass.js';
import { scryptPasslibScheme } from './schemes/scrypt-passlib.js';
import { sha256CryptScheme, sha512CryptScheme } from './schemes/sha-crypt.js';

/**
 * Every supported scheme. Prefixes are disjoint ('$'-prefixed formats, Django's `name$`
 * formats, and ASP.NET's bare base64 which can never contain '$'), so order only matters for speed.
 */
export const SCHEMES: readonly Scheme[] = [
  argon2idScheme,
  argon2iScheme,
  argon2dScheme,
  argon2DjangoScheme,
  bcryptScheme,
  bcryptDjangoScheme,
  bcryptSha256DjangoScheme,
  pbkdf2Sha256DjangoScheme,
  pbkdf2Sha1DjangoScheme,
  pbkdf2Sha256PasslibScheme,
  pbkdf2Sha512PasslibScheme,
  pbkdf2Sha1PasslibScheme,
  scryptPasslibScheme,
  firebaseScryptScheme,
  phpassScheme,
  sha256CryptScheme,
  sha512CryptScheme,
  aspnetIdentityV3Scheme,
  aspnetIdentityV2Scheme,
];

/** The scheme whose shape the hash has, if any (no cost checks; ASP.NET's is a base64 decode). */
export function findScheme(hash: string): Scheme | undefined {
  return SCHEMES.find((scheme) => scheme.matches(hash));
}

#!/usr/bin/python3
"""Generates vectors.json: password hashes made by the reference implementations.

Run from anywhere with Debian's Python and packages (see docs/passwords.md):
    apt-get install -y python3-passlib python3-django python3-bcrypt python3-cryptography python3-argon2
    /usr/bin/python3 packages/passwords/test/vectors/generate.py

Sources: passlib (bcrypt, pbkdf2, scrypt, argon2 via argon2-cffi, phpass, sha-crypt), Django's own
hashers (pbkdf2, bcrypt, bcrypt_sha256, argon2), hashlib (ASP.NET Identity blobs, built per
PasswordHasher.cs) and hashlib + cryptography (Firebase's modified scrypt, per
github.com/firebase/scrypt), plus the example vector published in the firebase/scrypt README.
Costs are deliberately low so the TypeScript suite stays fast; cost caps are tested separately.
Every vector is checked with the reference verifier before it is written.
"""
import base64
import hashlib
import json
import os
import struct
import sys
from pathlib import Path

import argon2
import bcrypt
import cryptography
import django
import passlib
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

settings.configure(USE_TZ=True)
django.setup()

from django.contrib.auth import hashers as dj  # noqa: E402  (needs settings first)
from passlib import hash as ph  # noqa: E402

PASSWORDS = [
    "password",
    "correct horse battery staple",
    "a",  # shortest
    " ",  # whitespace only
    "",  # empty: the library must not crash on it
    "pässwörd Ünïcødé ☃ 密码 🔐",  # multi-byte UTF-8, astral plane
    "ﬁnance ｐａｓｓ",  # NFKC changes it ('finance pass'): legacy hashes use it as typed
    "x" * 71 + "ü" + "tail beyond bcrypt's 72 bytes",  # 72-byte boundary (bcrypt truncates)
    "p@$$w0rd$with$dollars\"'\\",
]


def wrong_for(password):
    # Differs in the first bytes, so even bcrypt's 72-byte truncation cannot make it match.
    return "wrong-" + password


# --- Django hashers, with costs lowered by subclassing as Django's own tests do -------------
class DjPbkdf2Sha256(dj.PBKDF2PasswordHasher):
    iterations = 1000


class DjPbkdf2Sha1(dj.PBKDF2SHA1PasswordHasher):
    iterations = 1000


class DjArgon2(dj.Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 256
    parallelism = 2


class DjBcryptSha256(dj.BCryptSHA256PasswordHasher):
    rounds = 4


class DjBcrypt(dj.BCryptPasswordHasher):
    rounds = 4


def django_hash(hasher_class):
    def make(password):
        hasher = hasher_class()
        encoded = hasher.encode(password, hasher.salt())
        assert hasher.verify(password, encoded) and not hasher.verify(wrong_for(password), encoded)
        return encoded

    return make


# --- passlib --------------------------------------------------------------------------------
def passlib_hash(handler):
    def make(password):
        encoded = handler.hash(password)
        assert handler.verify(password, encoded) and not handler.verify(wrong_for(password), encoded)
        return encoded

    return make


# --- ASP.NET Core Identity (PasswordHasher.cs): base64 of a binary blob -----------------------
def aspnet_v3(prf, digest, iterations, salt_len=16, subkey_len=32):
    def make(password):
        salt = os.urandom(salt_len)
        subkey = hashlib.pbkdf2_hmac(digest, password.encode(), salt, iterations, subkey_len)
        blob = b"\x01" + struct.pack(">III", prf, iterations, salt_len) + salt + subkey
        return base64.b64encode(blob).decode()

    return make


def aspnet_v2(password):
    salt = os.urandom(16)
    subkey = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, 1000, 32)
    return base64.b64encode(b"\x00" + salt + subkey).decode()


# --- Firebase's modified scrypt, in our single-string encoding --------------------------------
def firebase_encode(salt, separator, signer_key, password_hash, mem_cost, rounds):
    fields = "$".join(base64.b64encode(b).decode() for b in (salt, separator, signer_key, password_hash))
    return f"$firebase-scrypt$v=1,ln={mem_cost},r={rounds}${fields}"


def firebase_raw(password, salt, separator, signer_key, mem_cost, rounds):
    key = hashlib.scrypt(password.encode(), salt=salt + separator, n=2**mem_cost, r=rounds, p=1, dklen=64)
    encryptor = Cipher(algorithms.AES(key[:32]), modes.CTR(b"\x00" * 16)).encryptor()
    return encryptor.update(signer_key) + encryptor.finalize()


FIREBASE_PROJECT = {"separator": b"\x07", "signer_key": os.urandom(64), "mem_cost": 10, "rounds": 8}


def firebase(password):
    p = FIREBASE_PROJECT
    salt = os.urandom(10)
    digest = firebase_raw(password, salt, p["separator"], p["signer_key"], p["mem_cost"], p["rounds"])
    return firebase_encode(salt, p["separator"], p["signer_key"], digest, p["mem_cost"], p["rounds"])


# scheme id -> (source, maker)
SCHEMES = {
    "argon2id": ("passlib.hash.argon2 (argon2-cffi)", passlib_hash(ph.argon2.using(type="ID", memory_cost=256, rounds=1, parallelism=1))),
    "argon2i": ("passlib.hash.argon2 (argon2-cffi)", passlib_hash(ph.argon2.using(type="I", memory_cost=256, rounds=2, parallelism=1))),
    "argon2d": ("passlib.hash.argon2 (argon2-cffi)", passlib_hash(ph.argon2.using(type="D", memory_cost=256, rounds=1, parallelism=2))),
    "argon2-django": ("django Argon2PasswordHasher", django_hash(DjArgon2)),
    "bcrypt": ("passlib.hash.bcrypt $2b$", passlib_hash(ph.bcrypt.using(rounds=4))),
    "bcrypt-django": ("django BCryptPasswordHasher", django_hash(DjBcrypt)),
    "bcrypt-sha256-django": ("django BCryptSHA256PasswordHasher", django_hash(DjBcryptSha256)),
    "pbkdf2-sha256-django": ("django PBKDF2PasswordHasher", django_hash(DjPbkdf2Sha256)),
    "pbkdf2-sha1-django": ("django PBKDF2SHA1PasswordHasher", django_hash(DjPbkdf2Sha1)),
    "pbkdf2-sha256-passlib": ("passlib.hash.pbkdf2_sha256", passlib_hash(ph.pbkdf2_sha256.using(rounds=1000))),
    "pbkdf2-sha512-passlib": ("passlib.hash.pbkdf2_sha512", passlib_hash(ph.pbkdf2_sha512.using(rounds=1000))),
    "pbkdf2-sha1-passlib": ("passlib.hash.pbkdf2_sha1", passlib_hash(ph.pbkdf2_sha1.using(rounds=1000))),
    "scrypt-passlib": ("passlib.hash.scrypt", passlib_hash(ph.scrypt.using(rounds=8, block_size=8, parallelism=1))),
    "firebase-scrypt": ("hashlib.scrypt + cryptography AES-256-CTR (firebase/scrypt construction)", firebase),
    "aspnet-identity-v3": ("hashlib.pbkdf2_hmac, PasswordHasher.cs v3 layout, HMAC-SHA512 (.NET 7+ default PRF; 1000 iterations here, 100000 in .NET)", aspnet_v3(2, "sha512", 1000)),
    "aspnet-identity-v2": ("hashlib.pbkdf2_hmac, PasswordHasher.cs v2 layout", aspnet_v2),
    "phpass": ("passlib.hash.phpass $P$", passlib_hash(ph.phpass.using(rounds=8))),
    "sha256-crypt": ("passlib.hash.sha256_crypt", passlib_hash(ph.sha256_crypt.using(rounds=1000))),
    "sha512-crypt": ("passlib.hash.sha512_crypt", passlib_hash(ph.sha512_crypt.using(rounds=1000))),
}

# Format variants worth a vector of their own: (scheme id, source, maker).
VARIANTS = [
    ("bcrypt", "passlib.hash.bcrypt $2a$", passlib_hash(ph.bcrypt.using(rounds=4, ident="2a"))),
    ("bcrypt", "passlib.hash.bcrypt $2y$", passlib_hash(ph.bcrypt.using(rounds=4, ident="2y"))),
    ("phpass", "passlib.hash.phpass $H$ (phpBB)", passlib_hash(ph.phpass.using(rounds=7, ident="H"))),
    ("aspnet-identity-v3", "hashlib.pbkdf2_hmac, v3 HMAC-SHA256 (.NET Core 2-6 default PRF)", aspnet_v3(1, "sha256", 1000)),
    ("aspnet-identity-v3", "hashlib.pbkdf2_hmac, v3 HMAC-SHA1", aspnet_v3(0, "sha1", 1000, salt_len=24, subkey_len=20)),
    ("sha512-crypt", "passlib.hash.sha512_crypt, implicit 5000 rounds", passlib_hash(ph.sha512_crypt.using(rounds=5000))),
    # Above 100 000 rounds verification moves to a worker thread: one vector exercises that path.
    ("sha256-crypt", "passlib.hash.sha256_crypt, 110000 rounds (worker thread)", passlib_hash(ph.sha256_crypt.using(rounds=110000)), 1),
]


def vector(scheme, source, make, password):
    return {"scheme": scheme, "source": source, "password": password, "wrong": wrong_for(password), "hash": make(password)}


def build():
    vectors = [vector(s, src, make, pw) for s, (src, make) in SCHEMES.items() for pw in PASSWORDS]
    vectors += [vector(s, src, make, pw) for s, src, make, *count in VARIANTS for pw in PASSWORDS[: (count or [2])[0]]]
    # Published example: https://github.com/firebase/scrypt README ("password hashing").
    published = {
        "salt": "42xEC+ixf3L2lw==", "separator": "Bw==", "rounds": 8, "mem_cost": 14,
        "signer_key": "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
        "hash": "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
    }
    b = {k: base64.b64decode(published[k]) for k in ("salt", "separator", "signer_key", "hash")}
    assert firebase_raw("user1password", b["salt"], b["separator"], b["signer_key"], 14, 8) == b["hash"]
    vectors.append({
        "scheme": "firebase-scrypt", "source": "firebase/scrypt README example", "password": "user1password", "wrong": "secret",
        "hash": firebase_encode(b["salt"], b["separator"], b["signer_key"], b["hash"], 14, 8), "firebase": published,
    })
    # Legacy systems that normalised to NFKC themselves: typing the un-normalised form must verify too.
    nfkc_made = [
        {"scheme": "pbkdf2-sha256-passlib", "typed": "ﬁnance ｐａｓｓ", "hash": ph.pbkdf2_sha256.using(rounds=1000).hash("finance pass")},
        {"scheme": "bcrypt", "typed": "Ⅻ ｆｕｌｌｗｉｄｔｈ", "hash": ph.bcrypt.using(rounds=4).hash("XII fullwidth")},
    ]
    return {
        "generator": "packages/passwords/test/vectors/generate.py",
        "versions": {
            "python": sys.version.split()[0], "passlib": passlib.__version__, "django": django.get_version(),
            "bcrypt": bcrypt.__version__, "argon2-cffi": argon2.__version__, "cryptography": cryptography.__version__,
        },
        "vectors": vectors,
        "nfkcMade": nfkc_made,
    }


if __name__ == "__main__":
    out = Path(__file__).with_name("vectors.json")
    out.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")

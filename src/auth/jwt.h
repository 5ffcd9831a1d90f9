/*
 * JSON Web Tokens signed with RS256 (RFC 7515/7518), the algorithm every OpenID Connect relying
 * party must accept, with OpenSSL: RSA keys made and kept as PEM, published as JWKs (RFC 7517).
 */
#ifndef SEXTANT_JWT_H
#define SEXTANT_JWT_H

#include "core/str.h"

#include <stdbool.h>

#define JWT_KID_LEN 17 /* 8 random bytes in hex, plus NUL */

/* A new 2048-bit RSA key: its private key as PEM (malloc'd) and its public JWK (JSON). */
int jwt_key_new(char kid[JWT_KID_LEN], char **private_pem, struct str *public_jwk);
/* header.payload.signature of a JSON payload, signed with the PEM key, naming kid. */
int jwt_sign(const char *private_pem, const char *kid, const char *payload, size_t n,
             struct str *out);
/* Whether jwt carries a good signature by this key (its payload, decoded, into payload). */
bool jwt_verify(const char *private_pem, const char *jwt, struct str *payload);
/* Unpadded base64url (RFC 4648 §5). */
void base64url_add(struct str *out, const unsigned char *in, size_t n);

#endif

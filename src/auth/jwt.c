#include "jwt.h"
#include "core/util.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void base64url_add(struct str *out, const unsigned char *in, size_t n)
{
	size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *b = xmalloc(len);
	sodium_bin2base64(b, len, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	str_adds(out, b);
	free(b);
}

static void bn_member(struct str *out, const char *name, const BIGNUM *bn)
{
	int n = BN_num_bytes(bn);
	unsigned char *buf = xmalloc((size_t)n + 1);
	BN_bn2bin(bn, buf);
	str_addf(out, "\"%s\":\"", name);
	base64url_add(out, buf, (size_t)n);
	str_addc(out, '"');
	free(buf);
}

int jwt_key_new(char kid[JWT_KID_LEN], char **private_pem, struct str *public_jwk)
{
	unsigned char raw[8];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(kid, JWT_KID_LEN, raw, sizeof raw);
	EVP_PKEY *key = EVP_RSA_gen(2048);
	if (!key)
		return -1;
	BIGNUM *n = NULL, *e = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;
	if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1 &&
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1) {
		char *data;
		long len = BIO_get_mem_data(bio, &data);
		*private_pem = xmalloc((size_t)len + 1);
		memcpy(*private_pem, data, (size_t)len);
		(*private_pem)[len] = '\0';
		str_adds(public_jwk,
		         "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"");
		str_adds(public_jwk, kid);
		str_adds(public_jwk, "\",");
		bn_member(public_jwk, "n", n);
		str_addc(public_jwk, ',');
		bn_member(public_jwk, "e", e);
		str_addc(public_jwk, '}');
		rc = 0;
	}
	BN_free(n);
	BN_free(e);
	BIO_free(bio);
	EVP_PKEY_free(key);
	return rc;
}

static EVP_PKEY *load_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	return key;
}

int jwt_sign(const char *private_pem, const char *kid, const char *payload, size_t n,
             struct str *out)
{
	EVP_PKEY *key = load_key(private_pem);
	if (!key)
		return -1;
	struct str header = STR_INIT;
	str_adds(&header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"");
	str_adds(&header, kid);
	str_adds(&header, "\"}");
	size_t start = out->len;
	base64url_add(out, (const unsigned char *)header.buf, header.len);
	str_addc(out, '.');
	base64url_add(out, (const unsigned char *)payload, n);
	str_release(&header);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[512];
	size_t siglen = sizeof sig;
	int rc = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	                 EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)out->buf + start,
	                                out->len - start) == 1
	             ? 0
	             : -1;
	if (!rc) {
		str_addc(out, '.');
		base64url_add(out, sig, siglen);
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return rc;
}

/* Decode one base64url part of a token into out; false if it is not base64url. */
static bool part_decode(const char *s, size_t n, struct str *out)
{
	unsigned char *buf = xmalloc(n + 1);
	size_t len = 0;
	bool ok = sodium_base642bin(buf, n + 1, s, n, NULL, &len, NULL,
	                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
	if (ok)
		str_add(out, (const char *)buf, len);
	free(buf);
	return ok;
}

bool jwt_verify(const char *private_pem, const char *jwt, struct str *payload)
{
	const char *dot1 = strchr(jwt, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2 || strchr(dot2 + 1, '.'))
		return false;
	struct str sig = STR_INIT;
	bool ok = part_decode(dot2 + 1, strlen(dot2 + 1), &sig);
	EVP_PKEY *key = ok ? load_key(private_pem) : NULL;
	EVP_MD_CTX *ctx = key ? EVP_MD_CTX_new() : NULL;
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(ctx, (const unsigned char *)sig.buf, sig.len,
	                      (const unsigned char *)jwt, (size_t)(dot2 - jwt)) == 1;
	if (ok)
		ok = part_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), payload);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	str_release(&sig);
	return ok;
}

/*
 * der.h: a strict DER reader over a byte range, and views of an X.509
 * certificate and of an RSA/EC private key taken straight from their DER
 * (formats layer). Pure functions: no allocation (except the PKCS#8 builder),
 * no OpenSSL parsing, nothing raised. They let the SCM export assembly match a
 * key with its certificate and order a chain without libcrypto decoding each
 * object a second time; anything they do not fully understand they decline
 * (return 0), and the caller falls back to libcrypto.
 */
#ifndef HWC_DER_H
#define HWC_DER_H

#include <stddef.h>

/* A byte range: a cursor to read from, or one element's encoding. */
typedef struct hwc_der {
    const unsigned char *p;
    size_t n;
} hwc_der;

/*
 * Takes the next TLV off *in: one-byte tag, definite length in minimal
 * form (at most 4 length octets), inside the range. content and whole
 * (either may be NULL) get its content and its whole encoding. Returns 0,
 * leaving *in as it was, when *in is empty or the TLV is not strict DER.
 */
int hwc_der_next(hwc_der *in, unsigned char *tag, hwc_der *content,
                 hwc_der *whole);
/* hwc_der_next that also requires the tag. */
int hwc_der_take(hwc_der *in, unsigned char tag, hwc_der *content,
                 hwc_der *whole);
/* True when the next TLV of in has this tag (in is not advanced). */
int hwc_der_peek(const hwc_der *in, unsigned char tag);
/* Every TLV in the range is strict DER, recursively through constructed
 * ones (at most 32 levels), and the range is used up exactly. */
int hwc_der_well_formed(hwc_der in);
int hwc_der_eq(hwc_der a, hwc_der b);
/* Takes a non-negative INTEGER in minimal form off *in (its content to
 * out, which may be NULL); 0 for anything else. */
int hwc_der_uint_take(hwc_der *in, hwc_der *out);
/* p is an ECDSA-Sig-Value (SEQUENCE of two such INTEGERs) in DER, exactly:
 * the one encoding libcrypto's ECDSA verification accepts for (r, s). */
int hwc_der_is_ecdsa_sig(const unsigned char *p, size_t n);
/* Writes a tag and the minimal DER form of length n at o (when o is not
 * NULL; n < 2^32); returns the number of octets that takes. */
size_t hwc_der_put_tl(unsigned char *o, unsigned char tag, size_t n);

/*----------------------------------------------------------- certificate */

typedef struct hwc_cert_view {
    hwc_der sig_alg;         /* the TBS signature algorithm OID content */
    hwc_der issuer, subject; /* whole Name encodings */
    hwc_der key_alg;         /* SPKI algorithm OID content */
    hwc_der key_params;      /* whole SPKI algorithm parameters, or empty */
    hwc_der key;             /* SPKI BIT STRING bits (no unused-bits octet) */
    hwc_der skid;            /* subjectKeyIdentifier, or empty */
    hwc_der akid;          /* authorityKeyIdentifier keyIdentifier, or empty */
    int akid_names_issuer; /* the AKID also names issuer or serial */
    int no_cert_sign;      /* keyUsage present without keyCertSign */
} hwc_cert_view;

/*
 * The fields above from one DER certificate, which must be strict DER
 * throughout and shaped like RFC 5280's Certificate with nothing after it.
 * Returns 1, or 0 (v undefined) for anything else.
 */
int hwc_cert_view_parse(const unsigned char *der, size_t len, hwc_cert_view *v);
/*
 * Whether issuer issued subject as X509_check_issued decides it (names,
 * key identifiers, keyUsage, signature algorithm against key type), with
 * names compared byte for byte: 1 yes, 0 no, -1 cannot tell here (the
 * subject's AKID names an issuer or serial number, or the issuer's key is
 * neither RSA nor EC). Proxy certificates are declined by the parser.
 */
int hwc_cert_view_issued(const hwc_cert_view *issuer,
                         const hwc_cert_view *subject);

/*
 * What the certificate's public key looks like: HWC_SPKI_RSA (rsaEncryption
 * with a positive modulus and exponent), HWC_SPKI_EC (*curve_nid set; an
 * uncompressed point of the right length on P-256, P-384 or P-521, which
 * the caller still has to find on the curve), or 0 for anything else.
 */
enum { HWC_SPKI_RSA = 1, HWC_SPKI_EC };
int hwc_cert_view_key_shape(const hwc_cert_view *c, int *curve_nid);

/*----------------------------------------------------------- private key */

enum hwc_key_form {
    HWC_KEY_PKCS1 = 1, /* RSAPrivateKey ("RSA PRIVATE KEY") */
    HWC_KEY_SEC1,      /* ECPrivateKey ("EC PRIVATE KEY") */
    HWC_KEY_PKCS8,     /* PrivateKeyInfo ("PRIVATE KEY") */
};

typedef struct hwc_key_view {
    int ec;        /* 0: RSA, 1: EC */
    hwc_der n, e;  /* RSA: modulus and public exponent INTEGER contents */
    hwc_der curve; /* EC: whole namedCurve OID (P-256, P-384, P-521) */
    int curve_nid; /* EC: its NID */
    hwc_der point; /* EC: uncompressed public point */
    hwc_der inner; /* the whole RSAPrivateKey or ECPrivateKey */
    hwc_der pkcs8; /* the whole PrivateKeyInfo when given as one */
} hwc_key_view;

/*
 * A two-prime RSA key, or an EC key on a named NIST curve that carries its
 * public point, in the given form. Returns 1, or 0 for anything else
 * (other algorithms, explicit curve parameters, no public point, not
 * strict DER, trailing bytes). Whether the point is on the curve is not
 * looked at here (keys.c does, with libcrypto's arithmetic).
 */
int hwc_key_view_parse(const unsigned char *der, size_t len,
                       enum hwc_key_form form, hwc_key_view *v);
/* True when the certificate's public key is the key's public half. */
int hwc_key_view_matches(const hwc_key_view *k, const hwc_cert_view *c);
/* The key as PKCS#8 PrivateKeyInfo DER (the input itself when it was
 * PKCS#8), a fresh copy holding secret bytes: OPENSSL_clear_free it. NULL
 * when out of memory. */
unsigned char *hwc_key_view_pkcs8(const hwc_key_view *k, size_t *len);

#endif /* HWC_DER_H */

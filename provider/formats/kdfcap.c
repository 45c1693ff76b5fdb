/*
 * kdfcap.c: the work a keystore may ask for, read from its parameters
 * before any key derivation runs. Whoever can upload a keystore picks its
 * iteration counts, and the password is only checked after the KDF: a
 * PBKDF2 count of 2^31-1 bought nine minutes of CPU per load, with the
 * empty password PEM keystores are tried with. Each run is capped, and so
 * is the sum of a file's runs (a file may hold many encrypted entries).
 */
#include <stdint.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "formats/kdfcap.h"
#include "formats/der.h"
#include "core/hwc.h"

/* RFC 9579's PBMAC1, which OpenSSL 3.0 does not name. */
#define OID_PBMAC1 "1.2.840.113549.1.5.14"

/* An INTEGER's value, or INT64_MAX when absent where it must not be,
 * negative, or too large to hold. */
static int64_t int_value(const ASN1_INTEGER *a, int64_t absent)
{
    int64_t v = 0;

    if (a == NULL) {
        return absent;
    }
    return ASN1_INTEGER_get_int64(&v, a) == 1 && v >= 0 ? v : INT64_MAX;
}

int hwc_kdf_spend(hwc_kdf_budget *b, int64_t cost, int64_t cap,
                  const char *what)
{
    if (cost > cap) {
        hwc_raise(HWC_R_TOO_LARGE,
                  "%s: its key derivation asks for %lld iterations, more "
                  "than the cap of %lld; refused before running it",
                  what, (long long)cost, (long long)cap);
        return 0;
    }
    if (cost > b->left) {
        hwc_raise(HWC_R_TOO_LARGE,
                  "%s: the keystore's key derivations add up to more than "
                  "the cap of %ld iterations; refused before running them",
                  what, (long)HWC_KDF_MAX_TOTAL);
        return 0;
    }
    b->left -= cost;
    return 1;
}

/* The parameters of alg, as the SEQUENCE they must be; NULL otherwise. */
static const ASN1_STRING *seq_params(const X509_ALGOR *alg)
{
    const void *pval;
    int ptype;

    X509_ALGOR_get0(NULL, &ptype, &pval, alg);
    return ptype == V_ASN1_SEQUENCE ? pval : NULL;
}

/* PBES2's key derivation function: PBKDF2 or scrypt. */
static int kdf_func(const X509_ALGOR *kdf, hwc_kdf_budget *b, const char *what)
{
    const ASN1_STRING *seq = seq_params(kdf);
    const unsigned char *p = seq ? ASN1_STRING_get0_data(seq) : NULL;
    long n = seq ? ASN1_STRING_length(seq) : 0;
    int nid = OBJ_obj2nid(kdf->algorithm), ok = 1;

    if (nid == NID_id_pbkdf2 && p != NULL) {
        PBKDF2PARAM *k = d2i_PBKDF2PARAM(NULL, &p, n);

        ok = k == NULL || hwc_kdf_spend(b, int_value(k->iter, INT64_MAX),
                                        HWC_KDF_MAX_ITER, what);
        PBKDF2PARAM_free(k);
#ifndef OPENSSL_NO_SCRYPT
    } else if (nid == NID_id_scrypt && p != NULL) {
        SCRYPT_PARAMS *s = d2i_SCRYPT_PARAMS(NULL, &p, n);
        int64_t nn, r, par;

        if (s != NULL) {
            nn = int_value(s->costParameter, INT64_MAX);
            r = int_value(s->blockSize, INT64_MAX);
            par = int_value(s->parallelizationParameter, INT64_MAX);
            /* N*r*p, saturating: each factor alone may be huge. */
            ok = hwc_kdf_spend(b,
                               nn > HWC_KDF_MAX_SCRYPT ||
                                       r > HWC_KDF_MAX_SCRYPT ||
                                       par > HWC_KDF_MAX_SCRYPT ||
                                       nn * r > HWC_KDF_MAX_SCRYPT ||
                                       nn * r * par > HWC_KDF_MAX_SCRYPT
                                   ? INT64_MAX
                                   : nn * r * par,
                               HWC_KDF_MAX_SCRYPT, what);
        }
        SCRYPT_PARAMS_free(s);
#endif
    }
    /* Anything else: libcrypto refuses it, after no derivation. */
    return ok;
}

int hwc_kdf_check(const X509_ALGOR *alg, hwc_kdf_budget *b, const char *what)
{
    const ASN1_STRING *seq = alg != NULL ? seq_params(alg) : NULL;
    const unsigned char *p = seq ? ASN1_STRING_get0_data(seq) : NULL;
    long n = seq ? ASN1_STRING_length(seq) : 0;
    int ok = 1;

    if (p == NULL) {
        return 1; /* no parameters: no iteration count to run */
    }
    if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
        PBE2PARAM *p2 = d2i_PBE2PARAM(NULL, &p, n);

        ok = p2 == NULL || kdf_func(p2->keyfunc, b, what);
        PBE2PARAM_free(p2);
    } else {
        /* PKCS#5 v1.5 and PKCS#12 PBEs: PBEParameter {salt, iterations} */
        PBEPARAM *pbe = d2i_PBEPARAM(NULL, &p, n);

        ok = pbe == NULL || hwc_kdf_spend(b, int_value(pbe->iter, INT64_MAX),
                                          HWC_KDF_MAX_ITER, what);
        PBEPARAM_free(pbe);
    }
    return ok;
}

/* PBMAC1-params ::= SEQUENCE { keyDerivationFunc, messageAuthScheme } */
static int pbmac1(const X509_ALGOR *macalg, hwc_kdf_budget *b, const char *what)
{
    const ASN1_STRING *seq = seq_params(macalg);
    hwc_der in, body, kdf;
    const unsigned char *p;
    X509_ALGOR *k;
    int ok = 1;

    if (seq == NULL) {
        return 1;
    }
    in.p = ASN1_STRING_get0_data(seq);
    in.n = (size_t)ASN1_STRING_length(seq);
    body = in;
    if (!hwc_der_take(&body, 0x30, NULL, &kdf)) {
        return 1;
    }
    p = kdf.p;
    if ((k = d2i_X509_ALGOR(NULL, &p, (long)kdf.n)) != NULL) {
        ok = kdf_func(k, b, what);
    }
    X509_ALGOR_free(k);
    return ok;
}

int hwc_kdf_check_mac(const PKCS12 *p12, int runs, hwc_kdf_budget *b)
{
    const ASN1_OCTET_STRING *mac = NULL, *salt = NULL;
    const X509_ALGOR *macalg = NULL;
    const ASN1_INTEGER *iter = NULL;
    const ASN1_OBJECT *oid = NULL;
    char txt[64];

    PKCS12_get0_mac(&mac, &macalg, &salt, &iter, p12);
    if (mac == NULL) {
        return 1; /* no MAC: nothing is derived for it */
    }
    X509_ALGOR_get0(&oid, NULL, NULL, macalg);
    for (int i = 0; i < runs; i++) {
        if (oid != NULL && OBJ_obj2txt(txt, sizeof(txt), oid, 1) > 0 &&
            strcmp(txt, OID_PBMAC1) == 0) {
            if (!pbmac1(macalg, b, "PKCS#12 MAC (PBMAC1)")) {
                return 0;
            }
        } else if (!hwc_kdf_spend(b, int_value(iter, 1), HWC_KDF_MAX_ITER,
                                  "PKCS#12 MAC")) {
            return 0;
        }
    }
    return 1;
}

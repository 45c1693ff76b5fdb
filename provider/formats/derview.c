/*
 * derview.c: what the SCM export assembly needs to know about a
 * certificate (names, key identifiers, public key) and a private key (its
 * public half), read straight from the DER. libcrypto parses every object
 * the store hands over anyway; parsing each one here too (OpenSSL 3.0
 * decodes a certificate's public key eagerly, through a decoder chain)
 * made an uncached load cost twice what it should. What is not plainly one
 * of the shapes below is declined, and the caller asks libcrypto instead.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>

#include "formats/der.h"

#define T_BOOL 0x01
#define T_INT 0x02
#define T_BITS 0x03
#define T_OCTETS 0x04
#define T_NULL 0x05
#define T_OID 0x06
#define T_SEQ 0x30

/* OID contents */
static const unsigned char OID_SKID[] = {0x55, 0x1d, 0x0e};
static const unsigned char OID_KU[] = {0x55, 0x1d, 0x0f};
static const unsigned char OID_AKID[] = {0x55, 0x1d, 0x23};
/* id-pe-proxyCertInfo: such certificates follow other issuing rules */
static const unsigned char OID_PROXY[] = {0x2b, 0x06, 0x01, 0x05,
                                          0x05, 0x07, 0x01, 0x0e};
static const unsigned char OID_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                        0x0d, 0x01, 0x01, 0x01};
static const unsigned char OID_EC[] = {0x2a, 0x86, 0x48, 0xce,
                                       0x3d, 0x02, 0x01};
/* Signature algorithms: 1.2.840.113549.1.1.<n> for RSA (md5, sha1, PSS,
 * sha256/384/512, sha224, sha512-224/256), 1.2.840.10045.4.1 and
 * 1.2.840.10045.4.3.<1-4> for ECDSA (sha1, sha224/256/384/512). */
static const unsigned char ARC_PKCS1[] = {0x2a, 0x86, 0x48, 0x86,
                                          0xf7, 0x0d, 0x01, 0x01};
static const unsigned char RSA_SIG_LAST[] = {4, 5, 10, 11, 12, 13, 14, 15, 16};
static const unsigned char ECDSA_SHA1[] = {0x2a, 0x86, 0x48, 0xce,
                                           0x3d, 0x04, 0x01};
static const unsigned char ARC_ECDSA_SHA2[] = {0x2a, 0x86, 0x48, 0xce,
                                               0x3d, 0x04, 0x03};

/* Named curves as whole OID TLVs, with their field size in octets. */
static const struct curve {
    unsigned char oid[10];
    size_t oid_len, field;
    int nid;
} curves[] = {
    {{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07},
     10,
     32,
     NID_X9_62_prime256v1},
    {{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22}, 7, 48, NID_secp384r1},
    {{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23}, 7, 66, NID_secp521r1},
};

static int is(hwc_der d, const unsigned char *v, size_t n)
{
    return d.n == n && memcmp(d.p, v, n) == 0;
}

static int starts(hwc_der d, const unsigned char *v, size_t n)
{
    return d.n > n && memcmp(d.p, v, n) == 0;
}

#define IS(d, a) is((d), (a), sizeof(a))
#define STARTS(d, a) starts((d), (a), sizeof(a))

/* BIT STRING content -> its bits, when it has no unused bits. */
static int whole_bits(hwc_der c, hwc_der *out)
{
    if (c.n < 1 || c.p[0] != 0) {
        return 0;
    }
    out->p = c.p + 1;
    out->n = c.n - 1;
    return 1;
}

static int skip(hwc_der *in, unsigned char tag)
{
    return hwc_der_take(in, tag, NULL, NULL);
}

static int skip_opt(hwc_der *in, unsigned char tag)
{
    return !hwc_der_peek(in, tag) || skip(in, tag);
}

/*----------------------------------------------------------- certificate */

struct ext_seen {
    int skid, akid, ku;
};

static int read_akid(hwc_der val, hwc_cert_view *v)
{
    hwc_der a;

    if (!hwc_der_take(&val, T_SEQ, &a, NULL) || val.n != 0 ||
        (hwc_der_peek(&a, 0x80) && !hwc_der_take(&a, 0x80, &v->akid, NULL))) {
        return 0;
    }
    v->akid_names_issuer = a.n != 0;
    return 1;
}

/* keyUsage without keyCertSign: this certificate issues nothing. */
static int read_ku(hwc_der val, hwc_cert_view *v)
{
    hwc_der c, bits;

    if (!hwc_der_take(&val, T_BITS, &c, NULL) || val.n != 0 || c.n < 1) {
        return 0;
    }
    bits.p = c.p + 1;
    bits.n = c.n - 1;
    v->no_cert_sign = bits.n == 0 || (bits.p[0] & 0x04) == 0;
    return 1;
}

static int read_extension(hwc_der ext, hwc_cert_view *v, struct ext_seen *s)
{
    hwc_der oid, val;

    if (!hwc_der_take(&ext, T_OID, &oid, NULL) || !skip_opt(&ext, T_BOOL) ||
        !hwc_der_take(&ext, T_OCTETS, &val, NULL) || ext.n != 0) {
        return 0;
    }
    if (IS(oid, OID_PROXY)) {
        return 0;
    }
    if (IS(oid, OID_SKID)) {
        return s->skid++ == 0 && hwc_der_take(&val, T_OCTETS, &v->skid, NULL) &&
               val.n == 0;
    }
    if (IS(oid, OID_AKID)) {
        return s->akid++ == 0 && read_akid(val, v);
    }
    if (IS(oid, OID_KU)) {
        return s->ku++ == 0 && read_ku(val, v);
    }
    return 1;
}

static int read_extensions(hwc_der exts, hwc_cert_view *v)
{
    struct ext_seen seen = {0};
    hwc_der seq;

    if (!hwc_der_take(&exts, T_SEQ, &seq, NULL) || exts.n != 0) {
        return 0;
    }
    while (seq.n > 0) {
        hwc_der ext;

        if (!hwc_der_take(&seq, T_SEQ, &ext, NULL) ||
            !read_extension(ext, v, &seen)) {
            return 0;
        }
    }
    return 1;
}

static int read_spki(hwc_der spki, hwc_cert_view *v)
{
    hwc_der alg, bits;

    if (!hwc_der_take(&spki, T_SEQ, &alg, NULL) ||
        !hwc_der_take(&spki, T_BITS, &bits, NULL) || spki.n != 0 ||
        !hwc_der_take(&alg, T_OID, &v->key_alg, NULL) ||
        (alg.n > 0 && !hwc_der_next(&alg, NULL, NULL, &v->key_params)) ||
        alg.n != 0) {
        return 0;
    }
    return whole_bits(bits, &v->key);
}

static int read_tbs(hwc_der tbs, hwc_cert_view *v)
{
    hwc_der sig, spki, exts;

    if (!skip_opt(&tbs, 0xa0) || !skip(&tbs, T_INT) ||
        !hwc_der_take(&tbs, T_SEQ, &sig, NULL) ||
        !hwc_der_take(&sig, T_OID, &v->sig_alg, NULL) ||
        !hwc_der_take(&tbs, T_SEQ, NULL, &v->issuer) || !skip(&tbs, T_SEQ) ||
        !hwc_der_take(&tbs, T_SEQ, NULL, &v->subject) ||
        !hwc_der_take(&tbs, T_SEQ, &spki, NULL) || !read_spki(spki, v) ||
        !skip_opt(&tbs, 0x81) || !skip_opt(&tbs, 0x82)) {
        return 0;
    }
    if (hwc_der_peek(&tbs, 0xa3) &&
        (!hwc_der_take(&tbs, 0xa3, &exts, NULL) || !read_extensions(exts, v))) {
        return 0;
    }
    return tbs.n == 0;
}

int hwc_cert_view_parse(const unsigned char *der, size_t len, hwc_cert_view *v)
{
    hwc_der in = {der, len}, cert, tbs;

    memset(v, 0, sizeof(*v));
    if (der == NULL || !hwc_der_well_formed(in) ||
        !hwc_der_take(&in, T_SEQ, &cert, NULL) || in.n != 0 ||
        !hwc_der_take(&cert, T_SEQ, &tbs, NULL) || !skip(&cert, T_SEQ) ||
        !skip(&cert, T_BITS) || cert.n != 0) {
        return 0;
    }
    return read_tbs(tbs, v);
}

static int rsa_sig(hwc_der oid)
{
    if (oid.n != sizeof(ARC_PKCS1) + 1 || !STARTS(oid, ARC_PKCS1)) {
        return 0;
    }
    return memchr(RSA_SIG_LAST, oid.p[oid.n - 1], sizeof(RSA_SIG_LAST)) != NULL;
}

static int ecdsa_sig(hwc_der oid)
{
    return IS(oid, ECDSA_SHA1) ||
           (oid.n == sizeof(ARC_ECDSA_SHA2) + 1 &&
            STARTS(oid, ARC_ECDSA_SHA2) && oid.p[oid.n - 1] >= 1 &&
            oid.p[oid.n - 1] <= 4);
}

/*
 * Whether subject's signature algorithm fits issuer's key type, as
 * X509_check_issued asks: 1, 0, or -1 for what is not known here (other
 * key types and signature algorithms, RSA-PSS keys, SM2).
 */
static int sig_fits_key(const hwc_cert_view *issuer,
                        const hwc_cert_view *subject)
{
    int rsa = IS(issuer->key_alg, OID_RSA), ec = IS(issuer->key_alg, OID_EC);

    if (rsa_sig(subject->sig_alg)) {
        return rsa ? 1 : ec ? 0 : -1;
    }
    if (ecdsa_sig(subject->sig_alg)) {
        return ec ? 1 : rsa ? 0 : -1;
    }
    return -1;
}

int hwc_cert_view_issued(const hwc_cert_view *issuer,
                         const hwc_cert_view *subject)
{
    if (!hwc_der_eq(issuer->subject, subject->issuer)) {
        return 0;
    }
    if (subject->akid_names_issuer) {
        return -1;
    }
    if (subject->akid.n > 0 && issuer->skid.n > 0 &&
        !hwc_der_eq(subject->akid, issuer->skid)) {
        return 0;
    }
    if (issuer->no_cert_sign) {
        return 0;
    }
    return sig_fits_key(issuer, subject);
}

/*----------------------------------------------------------- private key */

static int small_take(hwc_der *in, unsigned char want)
{
    hwc_der c;

    return hwc_der_uint_take(in, &c) && c.n == 1 && c.p[0] == want;
}

static int parse_pkcs1(hwc_der in, hwc_key_view *v)
{
    hwc_der seq;

    if (!hwc_der_take(&in, T_SEQ, &seq, &v->inner) || in.n != 0 ||
        !small_take(&seq, 0) || !hwc_der_uint_take(&seq, &v->n) ||
        !hwc_der_uint_take(&seq, &v->e)) {
        return 0;
    }
    for (int i = 0; i < 6; i++) { /* d, p, q, dp, dq, qinv */
        if (!hwc_der_uint_take(&seq, NULL)) {
            return 0;
        }
    }
    return seq.n == 0;
}

static const struct curve *find_curve(hwc_der oid)
{
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
        if (is(oid, curves[i].oid, curves[i].oid_len)) {
            return &curves[i];
        }
    }
    return NULL;
}

/* The modulus and exponent of an rsaEncryption public key. */
static int spki_rsa(const hwc_cert_view *c, hwc_der *n, hwc_der *e)
{
    hwc_der in = c->key, seq;

    return IS(c->key_alg, OID_RSA) && hwc_der_take(&in, T_SEQ, &seq, NULL) &&
           in.n == 0 && hwc_der_uint_take(&seq, n) &&
           hwc_der_uint_take(&seq, e) && seq.n == 0;
}

static int uncompressed_point(const struct curve *cv, hwc_der pt)
{
    return pt.n == 1 + 2 * cv->field && pt.p[0] == 0x04;
}

int hwc_cert_view_key_shape(const hwc_cert_view *c, int *curve_nid)
{
    hwc_der n, e;
    const struct curve *cv;

    if (spki_rsa(c, &n, &e)) {
        return !(n.n == 1 && n.p[0] == 0) && !(e.n == 1 && e.p[0] == 0)
                   ? HWC_SPKI_RSA
                   : 0;
    }
    if (IS(c->key_alg, OID_EC) && (cv = find_curve(c->key_params)) != NULL &&
        uncompressed_point(cv, c->key)) {
        *curve_nid = cv->nid;
        return HWC_SPKI_EC;
    }
    return 0;
}

/* [0] ECParameters, when present, must be one namedCurve OID. */
static int sec1_params(hwc_der *seq, hwc_der *curve)
{
    hwc_der c;

    if (!hwc_der_peek(seq, 0xa0)) {
        return 1;
    }
    return hwc_der_take(seq, 0xa0, &c, NULL) &&
           hwc_der_take(&c, T_OID, NULL, curve) && c.n == 0;
}

static int parse_sec1(hwc_der in, hwc_der alg_curve, hwc_key_view *v)
{
    hwc_der seq, priv, own = {0}, pub, bits;
    const struct curve *cv;

    if (!hwc_der_take(&in, T_SEQ, &seq, &v->inner) || in.n != 0 ||
        !small_take(&seq, 1) || !hwc_der_take(&seq, T_OCTETS, &priv, NULL) ||
        !sec1_params(&seq, &own) || !hwc_der_take(&seq, 0xa1, &pub, NULL) ||
        seq.n != 0 || !hwc_der_take(&pub, T_BITS, &bits, NULL) || pub.n != 0 ||
        !whole_bits(bits, &v->point)) {
        return 0;
    }
    if (own.n > 0 && alg_curve.n > 0 && !hwc_der_eq(own, alg_curve)) {
        return 0;
    }
    v->curve = own.n > 0 ? own : alg_curve;
    if ((cv = find_curve(v->curve)) == NULL || priv.n == 0 ||
        priv.n > cv->field || !uncompressed_point(cv, v->point)) {
        return 0;
    }
    v->ec = 1;
    v->curve_nid = cv->nid;
    return 1;
}

static int parse_pkcs8(hwc_der in, hwc_key_view *v)
{
    hwc_der seq, alg, oid, priv, curve = {0};

    if (!hwc_der_take(&in, T_SEQ, &seq, &v->pkcs8) || in.n != 0 ||
        !(small_take(&seq, 0) || small_take(&seq, 1)) ||
        !hwc_der_take(&seq, T_SEQ, &alg, NULL) ||
        !hwc_der_take(&alg, T_OID, &oid, NULL) ||
        !hwc_der_take(&seq, T_OCTETS, &priv, NULL) || !skip_opt(&seq, 0xa0) ||
        !skip_opt(&seq, 0x81) || seq.n != 0) {
        return 0;
    }
    if (IS(oid, OID_RSA)) {
        hwc_der null;

        return hwc_der_take(&alg, T_NULL, &null, NULL) && null.n == 0 &&
               alg.n == 0 && parse_pkcs1(priv, v);
    }
    if (IS(oid, OID_EC)) {
        return hwc_der_take(&alg, T_OID, NULL, &curve) && alg.n == 0 &&
               parse_sec1(priv, curve, v);
    }
    return 0;
}

int hwc_key_view_parse(const unsigned char *der, size_t len,
                       enum hwc_key_form form, hwc_key_view *v)
{
    hwc_der in = {der, len}, none = {0};

    memset(v, 0, sizeof(*v));
    if (der == NULL || !hwc_der_well_formed(in)) {
        return 0;
    }
    switch (form) {
    case HWC_KEY_PKCS1:
        return parse_pkcs1(in, v);
    case HWC_KEY_SEC1:
        return parse_sec1(in, none, v);
    case HWC_KEY_PKCS8:
        return parse_pkcs8(in, v);
    }
    return 0;
}

int hwc_key_view_matches(const hwc_key_view *k, const hwc_cert_view *c)
{
    hwc_der n, e;

    if (k->ec) {
        return IS(c->key_alg, OID_EC) && hwc_der_eq(c->key_params, k->curve) &&
               hwc_der_eq(c->key, k->point);
    }
    return spki_rsa(c, &n, &e) && hwc_der_eq(n, k->n) && hwc_der_eq(e, k->e);
}

/* AlgorithmIdentifier of the key, written at o (o may be NULL). */
static size_t put_alg(unsigned char *o, const hwc_key_view *k)
{
    static const unsigned char null[] = {T_NULL, 0};
    const unsigned char *param = k->ec ? k->curve.p : null;
    size_t plen = k->ec ? k->curve.n : sizeof(null);
    size_t olen = k->ec ? sizeof(OID_EC) : sizeof(OID_RSA);
    size_t body = 2 + olen + plen, w;

    w = hwc_der_put_tl(o, T_SEQ, body);
    if (o != NULL) {
        hwc_der_put_tl(o + w, T_OID, olen);
        memcpy(o + w + 2, k->ec ? OID_EC : OID_RSA, olen);
        memcpy(o + w + 2 + olen, param, plen);
    }
    return w + body;
}

unsigned char *hwc_key_view_pkcs8(const hwc_key_view *k, size_t *len)
{
    static const unsigned char version[] = {T_INT, 1, 0};
    size_t alg, oct, body, total, w;
    unsigned char *o;

    if (k->pkcs8.n > 0) {
        if ((o = OPENSSL_malloc(k->pkcs8.n)) != NULL) {
            memcpy(o, k->pkcs8.p, k->pkcs8.n);
            *len = k->pkcs8.n;
        }
        return o;
    }
    alg = put_alg(NULL, k);
    oct = hwc_der_put_tl(NULL, T_OCTETS, k->inner.n) + k->inner.n;
    body = sizeof(version) + alg + oct;
    total = hwc_der_put_tl(NULL, T_SEQ, body) + body;
    if ((o = OPENSSL_malloc(total)) == NULL) {
        return NULL;
    }
    w = hwc_der_put_tl(o, T_SEQ, body);
    memcpy(o + w, version, sizeof(version));
    w += sizeof(version);
    w += put_alg(o + w, k);
    w += hwc_der_put_tl(o + w, T_OCTETS, k->inner.n);
    memcpy(o + w, k->inner.p, k->inner.n);
    *len = w + k->inner.n;
    return o;
}

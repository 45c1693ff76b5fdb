/*
 * scmchain.c: turns the string fields of an SCM certificate export into
 * leaf, chain (ordered by issuer linkage) and PKCS#8 private key. The
 * fields' certificates are read by scmcerts.c.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "formats/decodectx.h"
#include "formats/keys.h"
#include "formats/objs.h"
#include "formats/pem.h"
#include "formats/scmchain.h"
#include "formats/scmcerts.h"
#include "formats/der.h"
#include "core/hwc.h"

/* Assemblies that libcrypto had to order: tests watch the quick way. */
static _Atomic unsigned long careful_runs;

unsigned long hwc_scm_careful_runs(void)
{
    return careful_runs;
}

/* Tests only: every assembly the careful way, to compare the two. */
static _Atomic int always_careful;

void hwc_scm_set_always_careful(int on)
{
    always_careful = on;
}

static int emit_cert(hwc_objs *tmp, struct scm_cert *c)
{
    c->used = 1;
    return hwc_objs_add(tmp, HWC_OBJ_CERT, NULL, c->der, c->der_len, NULL);
}

/* The first certificate of field src that key_fits, or -1. */
static long find_leaf(const struct scm_list *l, enum scm_src src,
                      int (*key_fits)(const struct scm_cert *, const void *),
                      const void *key)
{
    long best = -1;

    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].pos[src] != NOT_IN &&
            (best < 0 || l->v[i].pos[src] < l->v[best].pos[src]) &&
            (key == NULL || key_fits(&l->v[i], key))) {
            best = (long)i;
        }
    }
    return best;
}

/* The leaf: matching the key in certificate, else in entire_certificate;
 * with no key, the first of those or of certificate_chain. */
static long pick_leaf(const struct scm_list *l,
                      int (*key_fits)(const struct scm_cert *, const void *),
                      const void *key)
{
    long leaf = find_leaf(l, SRC_CERT, key_fits, key);

    if (leaf < 0) {
        leaf = find_leaf(l, SRC_ENTIRE, key_fits, key);
    }
    if (leaf < 0 && key == NULL) {
        leaf = 0; /* only certificate_chain was given */
    }
    return leaf;
}

/* Whether a certificate's public key decodes (X509_check_issued asks it of
 * the issuer): not looked at yet, yes, no, cannot tell without libcrypto. */
enum { KEY_UNKNOWN = 0, KEY_OK, KEY_BAD, KEY_UNSURE };

static int key_state(struct scm_cert *c)
{
    int nid = 0;

    if (c->key_state == KEY_UNKNOWN) {
        switch (hwc_cert_view_key_shape(&c->view, &nid)) {
        case HWC_SPKI_RSA:
            c->key_state = KEY_OK;
            break;
        case HWC_SPKI_EC:
            c->key_state = hwc_ec_point_ok(nid, c->view.key.p, c->view.key.n)
                               ? KEY_OK
                               : KEY_BAD;
            break;
        default:
            c->key_state = KEY_UNSURE;
        }
    }
    return c->key_state;
}

/* What walk_chain says. */
enum { WALK_FAILED = 0, WALK_DONE = 1, WALK_UNSURE = -1 };

/*
 * From the leaf up the issuer links until a self-issued certificate or a
 * gap; issued(a, b) says whether a issued b (1), not (0), or cannot tell
 * (-1: the walk stops, WALK_UNSURE). The rest is not emitted here.
 */
static int walk_chain(struct scm_list *l, size_t cur, hwc_objs *tmp,
                      int (*issued)(struct scm_cert *, struct scm_cert *))
{
    int r;

    if (!emit_cert(tmp, &l->v[cur])) {
        return WALK_FAILED;
    }
    while ((r = issued(&l->v[cur], &l->v[cur])) == 0) {
        size_t j;

        for (j = 0; j < l->n; j++) {
            if (!l->v[j].used && (r = issued(&l->v[j], &l->v[cur])) != 0) {
                break;
            }
        }
        if (r < 0) {
            return WALK_UNSURE;
        }
        if (j == l->n) {
            break;
        }
        if (!emit_cert(tmp, &l->v[j])) {
            return WALK_FAILED;
        }
        cur = j;
    }
    return r < 0 ? WALK_UNSURE : WALK_DONE;
}

/*-------------------------------------------- the quick way: DER views */

static int view_fits(const struct scm_cert *c, const void *key)
{
    return hwc_key_view_matches(key, &c->view);
}

static int view_issued(struct scm_cert *issuer, struct scm_cert *subject)
{
    int r = hwc_cert_view_issued(&issuer->view, &subject->view);

    if (r != 1 || issuer->bad_ext || subject->bad_ext) {
        return r == 1 ? 0 : r; /* X509_V_ERR_UNSPECIFIED for bad ones */
    }
    switch (key_state(issuer)) {
    case KEY_OK:
        return 1;
    case KEY_BAD:
        return 0; /* "issuer certificate doesn't have a public key" */
    default:
        return -1;
    }
}

/*
 * Orders the certificates from their DER views alone. Returns 1 when that
 * settled everything (every certificate viewable, the key matched by its
 * bytes, every certificate on the one chain), 0 when it cannot say (tmp
 * and the used marks are then as before), -1 on an error raised.
 */
static int order_by_views(struct scm_list *l, const hwc_key_view *kv,
                          hwc_objs *tmp)
{
    long leaf;
    int r;

    for (size_t i = 0; i < l->n; i++) {
        if (!l->v[i].viewable) {
            return 0;
        }
    }
    if ((leaf = pick_leaf(l, view_fits, kv)) < 0) {
        return 0; /* maybe a key encoded another way: libcrypto decides */
    }
    r = walk_chain(l, (size_t)leaf, tmp, view_issued);
    for (size_t i = 0; r == WALK_DONE && i < l->n; i++) {
        if (!l->v[i].used) {
            r = WALK_UNSURE; /* names may match once canonicalised */
        }
    }
    if (r == WALK_DONE) {
        return 1;
    }
    for (size_t i = 0; i < l->n; i++) {
        l->v[i].used = 0;
    }
    hwc_objs_free(tmp);
    return r == WALK_FAILED ? -1 : 0;
}

/*------------------------------------------------ the careful way: X509 */

static int pkey_fits(const struct scm_cert *c, const void *key)
{
    EVP_PKEY *pub;
    int r;

    ERR_set_mark();
    pub = X509_get0_pubkey(c->x);
    r = pub != NULL && EVP_PKEY_eq(pub, key) == 1;
    ERR_pop_to_mark();
    return r;
}

static int x509_issued(struct scm_cert *issuer, struct scm_cert *subject)
{
    int r;

    ERR_set_mark();
    r = X509_check_issued(issuer->x, subject->x) == X509_V_OK;
    ERR_pop_to_mark();
    return r;
}

static int order_by_x509(struct scm_list *l, EVP_PKEY *pk, hwc_objs *tmp)
{
    long leaf;

    for (size_t i = 0; i < l->n; i++) {
        if (hwc_scm_cert_x509(&l->v[i]) == NULL) {
            return 0;
        }
    }
    if ((leaf = pick_leaf(l, pkey_fits, pk)) < 0) {
        hwc_raise(HWC_R_KEY_MISMATCH,
                  "SCM export: private_key matches no certificate in "
                  "certificate or entire_certificate");
        return 0;
    }
    return walk_chain(l, (size_t)leaf, tmp, x509_issued) == WALK_DONE;
}

/* The key the careful way: libcrypto decodes it (and says what is wrong). */
static int decode_key(const char *private_key, hwc_objs *key, EVP_PKEY **pk)
{
    hwc_objs_free(key);
    ERR_set_mark();
    if (!hwc_decode_private_key_ex(private_key, strlen(private_key), key, pk)) {
        hwc_scm_reraise_in("private_key");
        return 0;
    }
    ERR_pop_to_mark();
    return 1;
}

/*------------------------------------------------------------ assembly */

/* The certificates of the three fields; 0 with an error raised when a
 * field does not parse or none holds a certificate. */
static int parse_fields(struct scm_list *l, const char *certificate,
                        const char *certificate_chain,
                        const char *entire_certificate)
{
    if (!hwc_scm_parse_field(certificate, SRC_CERT, l) ||
        !hwc_scm_parse_field(certificate_chain, SRC_CHAIN, l) ||
        !hwc_scm_parse_field(entire_certificate, SRC_ENTIRE, l)) {
        return 0;
    }
    if (l->n == 0) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "SCM export: no certificate (certificate, "
                  "certificate_chain and entire_certificate are empty)");
        return 0;
    }
    return 1;
}

/*
 * The leaf and its chain into tmp, the key (if any) into key: from the DER
 * views where they settle it, else the careful way. 0 with an error
 * raised.
 */
static int order(struct scm_list *l, const char *private_key, hwc_objs *key,
                 hwc_objs *tmp)
{
    int has_key = !hwc_scm_blank(private_key), quick = 0, ok;
    EVP_PKEY *pk = NULL;
    hwc_key_view kv;

    if (!always_careful &&
        (!has_key || hwc_decode_private_key_view(
                         private_key, strlen(private_key), key, &kv))) {
        quick = order_by_views(l, has_key ? &kv : NULL, tmp);
    }
    if (quick != 0) {
        return quick > 0;
    }
    careful_runs++;
    hwc_debug("SCM export: certificates ordered by libcrypto");
    ok = (!has_key || decode_key(private_key, key, &pk)) &&
         order_by_x509(l, pk, tmp);
    EVP_PKEY_free(pk);
    return ok;
}

int hwc_assemble_scm(const char *certificate, const char *certificate_chain,
                     const char *entire_certificate, const char *private_key,
                     OSSL_LIB_CTX *plain, hwc_objs *out)
{
    struct scm_list l = {0};
    hwc_objs key = {0}, tmp = {0};
    int has_key = !hwc_scm_blank(private_key), ok = 0;

    if (out == NULL) {
        hwc_raise(HWC_R_INTERNAL, "SCM export: no output list");
        return 0;
    }
    if (hwc_scm_blank(certificate) && hwc_scm_blank(certificate_chain) &&
        hwc_scm_blank(entire_certificate) && !has_key) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "SCM export: certificate, certificate_chain, "
                  "entire_certificate and private_key are all empty");
        return 0;
    }
    l.plain = plain;
    if (!parse_fields(&l, certificate, certificate_chain, entire_certificate) ||
        !order(&l, private_key, &key, &tmp)) {
        goto done;
    }
    for (size_t j = 0; j < l.n; j++) {
        if (!l.v[j].used && !emit_cert(&tmp, &l.v[j])) {
            goto done;
        }
    }
    if (has_key && !hwc_objs_add(&tmp, HWC_OBJ_PRIVKEY, key.v[0].data_type,
                                 key.v[0].der, key.v[0].der_len, NULL)) {
        goto done;
    }
    ok = hwc_objs_move(out, &tmp);
done:
    hwc_objs_free(&key);
    hwc_objs_free(&tmp);
    hwc_scm_list_free(&l);
    return ok;
}

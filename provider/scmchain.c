/*
 * scmchain.c: turns the string fields of an SCM certificate export into
 * leaf, chain (ordered by issuer linkage) and PKCS#8 private key.
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

#include "decode.h"
#include "hwc.h"

/* The fields a certificate can come from. */
enum scm_src { SRC_CERT, SRC_CHAIN, SRC_ENTIRE, SRC_N };
#define NOT_IN SIZE_MAX

struct scm_cert {
    X509 *x;
    unsigned char *der;
    size_t der_len;
    size_t pos[SRC_N]; /* first position in each field, or NOT_IN */
    int used;
};

struct scm_list {
    struct scm_cert *v;
    size_t n, cap;
};

static void list_free(struct scm_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        X509_free(l->v[i].x);
        OPENSSL_free(l->v[i].der);
    }
    OPENSSL_free(l->v);
    memset(l, 0, sizeof(*l));
}

/*
 * Re-raises the last error (raised by a callee since the mark) with the
 * field name in front, dropping whatever else the callee left.
 */
static void reraise_in(const char *field)
{
    const char *data = NULL;
    int flags = 0, reason;
    unsigned long e = ERR_peek_last_error_data(&data, &flags);
    char msg[512];

    snprintf(msg, sizeof(msg), "%s",
             (e != 0 && (flags & ERR_TXT_STRING) && data != NULL) ? data
                                                                  : "invalid");
    reason = e != 0 ? ERR_GET_REASON(e) : HWC_R_DECODE;
    if (reason <= 0 || reason >= HWC_R_REASON_MAX) {
        reason = HWC_R_DECODE;
    }
    ERR_pop_to_mark();
    hwc_raise(NULL, reason, "%s: %s", field, msg);
}

static int blank(const char *s)
{
    if (s == NULL) {
        return 1;
    }
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
            return 0;
        }
    }
    return 1;
}

/*
 * Adds x (taking it) unless a certificate with the same DER is there; pos
 * is its position in field src.
 */
static int list_add(struct scm_list *l, X509 *x, enum scm_src src, size_t pos)
{
    unsigned char *der = NULL;
    int len;

    ERR_set_mark();
    len = i2d_X509(x, &der);
    ERR_pop_to_mark();
    if (len <= 0) {
        X509_free(x);
        hwc_raise(NULL, HWC_R_DECODE, "certificate cannot be re-encoded");
        return 0;
    }
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].der_len == (size_t)len &&
            memcmp(l->v[i].der, der, (size_t)len) == 0) {
            if (l->v[i].pos[src] == NOT_IN) {
                l->v[i].pos[src] = pos;
            }
            OPENSSL_free(der);
            X509_free(x);
            return 1;
        }
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        struct scm_cert *nv;

        if (l->cap > 4096 ||
            (nv = OPENSSL_realloc(l->v, ncap * sizeof(*nv))) == NULL) {
            OPENSSL_free(der);
            X509_free(x);
            hwc_raise(NULL, HWC_R_MALLOC, "SCM certificate list");
            return 0;
        }
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n].x = x;
    l->v[l->n].der = der;
    l->v[l->n].der_len = (size_t)len;
    for (int s = 0; s < SRC_N; s++) {
        l->v[l->n].pos[s] = NOT_IN;
    }
    l->v[l->n].pos[src] = pos;
    l->v[l->n].used = 0;
    l->n++;
    return 1;
}

/*
 * A block already in the list (entire_certificate repeats the other two
 * fields) only gains a position: parsing X.509 is the expensive part of an
 * export, so each distinct certificate is parsed once.
 */
static int seen_before(struct scm_list *l, const hwc_pem_block *b,
                       enum scm_src src, size_t pos)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].der_len == b->der_len &&
            memcmp(l->v[i].der, b->der, b->der_len) == 0) {
            if (l->v[i].pos[src] == NOT_IN) {
                l->v[i].pos[src] = pos;
            }
            return 1;
        }
    }
    return 0;
}

/* Every certificate of one PEM field, in order. */
static int parse_field(const char *field, const char *text, enum scm_src src,
                       struct scm_list *l)
{
    hwc_pem_block *blocks = NULL;
    int n, ok = 0, found = 0;

    if (blank(text)) {
        return 1;
    }
    if (strstr(text, "-----BEGIN ") == NULL) {
        hwc_raise(NULL, HWC_R_DECODE, "%s: not PEM (no BEGIN line)", field);
        return 0;
    }
    ERR_set_mark();
    n = hwc_pem_split(text, strlen(text), &blocks);
    if (n < 0) {
        reraise_in(field);
        return 0;
    }
    ERR_clear_last_mark();
    for (int i = 0; i < n; i++) {
        const char *lab = blocks[i].label;
        int trusted = strcmp(lab, "TRUSTED CERTIFICATE") == 0;
        const unsigned char *p = blocks[i].der;
        X509 *x;

        if (!trusted && strcmp(lab, "CERTIFICATE") != 0 &&
            strcmp(lab, "X509 CERTIFICATE") != 0) {
            continue;
        }
        if (!trusted && seen_before(l, &blocks[i], src, (size_t)found)) {
            found++;
            continue;
        }
        if (blocks[i].der_len > LONG_MAX) {
            x = NULL;
        } else {
            ERR_set_mark();
            x = trusted ? d2i_X509_AUX(NULL, &p, (long)blocks[i].der_len)
                        : d2i_X509(NULL, &p, (long)blocks[i].der_len);
            ERR_pop_to_mark();
        }
        if (x != NULL && p != blocks[i].der + blocks[i].der_len) {
            X509_free(x);
            x = NULL;
        }
        if (x == NULL) {
            hwc_raise(NULL, HWC_R_DECODE,
                      "%s: PEM block %d (%s): not a valid X.509 certificate",
                      field, i + 1, lab);
            goto done;
        }
        if (!list_add(l, x, src, (size_t)found)) {
            goto done;
        }
        found++;
    }
    if (found == 0) {
        hwc_raise(NULL, HWC_R_DECODE, "%s: no CERTIFICATE PEM block", field);
        goto done;
    }
    ok = 1;
done:
    hwc_pem_blocks_free(blocks, n);
    return ok;
}

static int key_matches(X509 *x, EVP_PKEY *pk)
{
    EVP_PKEY *pub;
    int r;

    ERR_set_mark();
    pub = X509_get0_pubkey(x);
    r = pub != NULL && EVP_PKEY_eq(pub, pk) == 1;
    ERR_pop_to_mark();
    return r;
}

/* The first certificate of field src (matching pk if given), or -1. */
static long find_leaf(const struct scm_list *l, EVP_PKEY *pk, enum scm_src src)
{
    long best = -1;

    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].pos[src] != NOT_IN &&
            (best < 0 || l->v[i].pos[src] < l->v[best].pos[src]) &&
            (pk == NULL || key_matches(l->v[i].x, pk))) {
            best = (long)i;
        }
    }
    return best;
}

static int issued_by(X509 *issuer, X509 *subject)
{
    int r;

    ERR_set_mark();
    r = X509_check_issued(issuer, subject) == X509_V_OK;
    ERR_pop_to_mark();
    return r;
}

static int emit_cert(hwc_objs *tmp, struct scm_cert *c)
{
    c->used = 1;
    return hwc_objs_add(tmp, HWC_OBJ_CERT, NULL, c->der, c->der_len, NULL);
}

int hwc_assemble_scm(const char *certificate, const char *certificate_chain,
                     const char *entire_certificate, const char *private_key,
                     hwc_objs *out)
{
    struct scm_list l = {0};
    hwc_objs key = {0}, tmp = {0};
    EVP_PKEY *pk = NULL;
    long leaf;
    size_t cur;
    int ok = 0;

    if (out == NULL) {
        hwc_raise(NULL, HWC_R_INTERNAL, "SCM export: no output list");
        return 0;
    }
    if (blank(certificate) && blank(certificate_chain) &&
        blank(entire_certificate) && blank(private_key)) {
        hwc_raise(NULL, HWC_R_BAD_RESPONSE,
                  "SCM export: certificate, certificate_chain, "
                  "entire_certificate and private_key are all empty");
        return 0;
    }
    if (!parse_field("certificate", certificate, SRC_CERT, &l) ||
        !parse_field("certificate_chain", certificate_chain, SRC_CHAIN, &l) ||
        !parse_field("entire_certificate", entire_certificate, SRC_ENTIRE,
                     &l)) {
        goto done;
    }
    if (l.n == 0) {
        hwc_raise(NULL, HWC_R_BAD_RESPONSE,
                  "SCM export: no certificate (certificate, "
                  "certificate_chain and entire_certificate are empty)");
        goto done;
    }
    if (!blank(private_key)) {
        ERR_set_mark();
        if (!hwc_decode_private_key_ex(private_key, strlen(private_key), &key,
                                       &pk)) {
            reraise_in("private_key");
            goto done;
        }
        ERR_pop_to_mark();
    }
    leaf = find_leaf(&l, pk, SRC_CERT);
    if (leaf < 0) {
        leaf = find_leaf(&l, pk, SRC_ENTIRE);
    }
    if (leaf < 0 && pk == NULL) {
        leaf = 0; /* only certificate_chain was given */
    }
    if (leaf < 0) {
        hwc_raise(NULL, HWC_R_KEY_MISMATCH,
                  "SCM export: private_key matches no certificate in "
                  "certificate or entire_certificate");
        goto done;
    }
    cur = (size_t)leaf;
    if (!emit_cert(&tmp, &l.v[cur])) {
        goto done;
    }
    /* Up the issuer links until a self-issued certificate or a gap. */
    while (!issued_by(l.v[cur].x, l.v[cur].x)) {
        size_t j;

        for (j = 0; j < l.n; j++) {
            if (!l.v[j].used && issued_by(l.v[j].x, l.v[cur].x)) {
                break;
            }
        }
        if (j == l.n) {
            break;
        }
        if (!emit_cert(&tmp, &l.v[j])) {
            goto done;
        }
        cur = j;
    }
    for (size_t j = 0; j < l.n; j++) {
        if (!l.v[j].used && !emit_cert(&tmp, &l.v[j])) {
            goto done;
        }
    }
    if (pk != NULL && !hwc_objs_add(&tmp, HWC_OBJ_PRIVKEY, key.v[0].data_type,
                                    key.v[0].der, key.v[0].der_len, NULL)) {
        goto done;
    }
    ok = hwc_objs_move(out, &tmp);
done:
    EVP_PKEY_free(pk);
    hwc_objs_free(&key);
    hwc_objs_free(&tmp);
    list_free(&l);
    return ok;
}

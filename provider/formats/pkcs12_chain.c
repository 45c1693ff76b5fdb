/*
 * pkcs12_chain.c: the keys and certificates a PKCS#12 keystore held
 * (pkcs12.c), put in order: each key followed by its chain.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/hwc.h"
#include "formats/objs.h"
#include "formats/pkcs12.h"

static int p12_same_id(const p12_item *a, const p12_item *b)
{
    return a->keyid != NULL && b->keyid != NULL && a->keyidlen == b->keyidlen &&
           memcmp(a->keyid, b->keyid, (size_t)a->keyidlen) == 0;
}

/* The certificate of key k: same localKeyID, else same public key. */
static p12_item *p12_leaf(p12_ctx *c, const p12_item *k)
{
    for (size_t i = 0; i < c->n; i++) {
        if (!c->items[i].is_key && p12_same_id(&c->items[i], k)) {
            return &c->items[i];
        }
    }
    ERR_set_mark(); /* comparing RSA with EC keys is not an error here */
    for (size_t i = 0; k->pk != NULL && i < c->n; i++) {
        p12_item *it = &c->items[i];

        if (!it->is_key && it->keyid == NULL &&
            EVP_PKEY_eq(X509_get0_pubkey(it->x), k->pk) == 1) {
            ERR_pop_to_mark();
            return it;
        }
    }
    ERR_pop_to_mark();
    return NULL;
}

/*
 * The issuer of cur for chain `chain`: a certificate not yet in that chain
 * whose name and key identifiers match. Unused chain certificates first,
 * keytool's trusted entries last, so each entry keeps its own copy.
 */
static p12_item *p12_issuer(p12_ctx *c, const p12_item *cur, int chain)
{
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < c->n; i++) {
            p12_item *it = &c->items[i];

            if (it->is_key || it->in_chain == chain ||
                it->trusted != (pass == 2) || (pass == 0 && it->used)) {
                continue;
            }
            if (X509_check_issued(it->x, cur->x) == X509_V_OK) {
                return it;
            }
        }
    }
    return NULL;
}

static int p12_emit_chain(p12_ctx *c, size_t k)
{
    const p12_item *key = &c->items[k];
    p12_item *cur = p12_leaf(c, key);
    int chain = (int)k + 1;

    for (int depth = 0; cur != NULL && depth < P12_MAX_CHAIN; depth++) {
        cur->used = 1;
        cur->in_chain = chain;
        if (!key->failed && !hwc_objs_add(c->out, HWC_OBJ_CERT, NULL, cur->der,
                                          cur->len, key->name)) {
            return 0;
        }
        if (key->failed || X509_check_issued(cur->x, cur->x) == X509_V_OK) {
            break; /* a failed key's leaf is skipped; roots end chains */
        }
        cur = p12_issuer(c, cur, chain);
    }
    return 1;
}

int hwc_p12_emit(p12_ctx *c)
{
    for (size_t k = 0; k < c->n; k++) {
        p12_item *it = &c->items[k];

        if (!it->is_key) {
            continue;
        }
        if (it->failed) {
            if (!hwc_objs_note_failure(c->out, it->name,
                                       "cannot decrypt private key")) {
                return 0;
            }
        } else if (!hwc_objs_add(c->out, HWC_OBJ_PRIVKEY, it->type, it->der,
                                 it->len, it->name)) {
            return 0;
        }
        if (!p12_emit_chain(c, k)) {
            return 0;
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        p12_item *it = &c->items[i];

        if (!it->is_key && (it->trusted || !it->used) &&
            !hwc_objs_add(c->out, HWC_OBJ_CERT, NULL, it->der, it->len,
                          it->name)) {
            return 0;
        }
    }
    return 1;
}

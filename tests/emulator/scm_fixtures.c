/* scm_fixtures.c: the SCM certificate fixtures: a root -> intermediate ->
 * leaf chain (RSA and EC leaves), the decoding-variant export bodies, the
 * extra certificates for list paging, and renewal (POST /_emu/scm/renew). */
#include "scm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/pem.h>

struct material {
    char *leaf, *inter, *root, *key;
};

static struct scm_cert *certs;
static size_t ncerts;

/* What renewal needs after start: the issuer of the leaves and the chain
 * text. The lock guards every certificate's fields once renewal can
 * change them (scm.c holds it around each request). */
static struct {
    EVP_PKEY *key;
    X509 *cert;
    char *inter_pem, *root_pem;
} issuer;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void scm_fixtures_lock(void)
{
    pthread_mutex_lock(&lock);
}

void scm_fixtures_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

size_t scm_cert_count(void)
{
    return ncerts;
}

const struct scm_cert *scm_cert_at(size_t i)
{
    return i < ncerts ? &certs[i] : NULL;
}

const struct scm_cert *scm_cert_find(const char *id)
{
    for (size_t i = 0; i < ncerts; i++)
        if (strcmp(certs[i].id, id) == 0)
            return &certs[i];
    return NULL;
}

/* s with every occurrence of FROM replaced by TO */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + fl, from))
        n++;
    char *out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1);
    if (out == NULL)
        abort();
    char *o = out;
    const char *p;
    while ((p = strstr(s, from)) != NULL) {
        memcpy(o, s, (size_t)(p - s));
        o += p - s;
        memcpy(o, to, tl);
        o += tl;
        s = p + fl;
    }
    strcpy(o, s);
    return out;
}

static char *cat(const char *a, const char *b)
{
    return emu_printf("%s%s", a, b);
}

static void set_str(json_t *o, const char *k, char *v, int crlf, int ws)
{
    char *x = crlf ? replace_all(v, "\n", "\r\n") : emu_strdup(v);
    char *y = ws ? emu_printf(" \r\n\t %s\n\n  ", x) : emu_strdup(x);
    json_object_set_new(o, k, json_string(y));
    free(x);
    free(y);
    free(v);
}

static char *glue(char *pem)
{
    char *g = replace_all(pem, "-----\n-----BEGIN", "----------BEGIN");
    free(pem);
    return g;
}

static char *export_body(const struct material *m, enum scm_variant v)
{
    json_t *o = json_object();
    int crlf = v == V_CRLF, ws = v == V_WS;
    char *chain = cat(m->inter, m->root);
    char *entire = cat(m->leaf, chain);
    if (v == V_GLUED) {
        chain = glue(chain);
        entire = glue(entire);
    } else if (v == V_REVERSED) {
        free(entire);
        entire = emu_printf("%s%s%s%s", m->root, m->inter, m->leaf, m->inter);
    }
    set_str(o, "entire_certificate", entire, crlf, ws);
    if (v != V_NOLEAF)
        set_str(o, "certificate", emu_strdup(m->leaf), crlf, ws);
    if (v == V_NULLCHAIN) {
        json_object_set_new(o, "certificate_chain", json_null());
        free(chain);
    } else if (v == V_EMPTYCHAIN) {
        json_object_set_new(o, "certificate_chain", json_string(""));
        free(chain);
    } else {
        set_str(o, "certificate_chain", chain, crlf, ws);
    }
    set_str(o, "private_key", emu_strdup(m->key), crlf, ws);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static char *ec_params_key(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_Parameters(b, k);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *params = emu_printf("%.*s", (int)n, data);
    BIO_free(b);
    char *key = pki_key_pem(k, "traditional");
    char *r = cat(params, key);
    free(params);
    free(key);
    return r;
}

static struct scm_cert *add_cert(const char *name, const char *domain, int ec,
                                 const char *expire)
{
    certs = realloc(certs, (ncerts + 1) * sizeof(*certs));
    if (certs == NULL)
        abort();
    struct scm_cert *c = &certs[ncerts++];
    memset(c, 0, sizeof(*c));
    char digits[14];
    emu_rand_digits(digits, 13);
    digits[0] = '1';
    snprintf(c->id, sizeof(c->id), "scs%s", digits);
    snprintf(c->name, sizeof(c->name), "%s", name);
    snprintf(c->domain, sizeof(c->domain), "%s", domain);
    snprintf(c->expire_time, sizeof(c->expire_time), "%s", expire);
    snprintf(c->status, sizeof(c->status), "ISSUED");
    c->ec = ec;
    return c;
}

struct chain_keys {
    EVP_PKEY *root, *inter, *rsa, *ec, *other;
    X509 *rootc, *interc, *rsac, *ecc;
};

static int make_chain(struct chain_keys *ck)
{
    ck->root = pki_key("scm-root", "RSA", 2048);
    ck->inter = pki_key("scm-inter", "RSA", 2048);
    ck->rsa = pki_key("scm-leaf-rsa", "RSA", 2048);
    ck->ec = pki_key("scm-leaf-ec", "EC", 256);
    ck->other = pki_key("scm-mismatch", "RSA", 2048);
    if (!ck->root || !ck->inter || !ck->rsa || !ck->ec || !ck->other)
        return -1;
    ck->rootc = pki_cert(ck->root, "HWC Emulator SCM Root CA", NULL, NULL, 1,
                         NULL, 3650);
    ck->interc = pki_cert(ck->inter, "HWC Emulator SCM Intermediate CA",
                          ck->rootc, ck->root, 1, NULL, 1825);
    ck->rsac = pki_cert(ck->rsa, "www.example.com", ck->interc, ck->inter, 0,
                        "DNS:www.example.com,IP:127.0.0.1", 365);
    ck->ecc = pki_cert(ck->ec, "ec.example.com", ck->interc, ck->inter, 0,
                       "DNS:ec.example.com,IP:127.0.0.1", 365);
    return ck->rootc && ck->interc && ck->rsac && ck->ecc ? 0 : -1;
}

static void expire_string(X509 *x, char out[32])
{
    struct tm tm;
    ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M:%S.0", &tm);
}

struct variant_def {
    const char *env, *name;
    enum scm_variant v;
    const char *id; /* the id the docs show, or NULL (random) */
};

static const struct variant_def variants[] = {
    {"RSA", "www-example-com", V_RSA, "scs1690083443906"},
    {"EC", "ec-example-com", V_EC, "scs1690083449917"},
    {"CRLF", "emu-crlf", V_CRLF, NULL},
    {"GLUED", "emu-glued", V_GLUED, NULL},
    {"NOLEAF", "emu-noleaf", V_NOLEAF, NULL},
    {"NULLCHAIN", "emu-nullchain", V_NULLCHAIN, NULL},
    {"EMPTYCHAIN", "emu-emptychain", V_EMPTYCHAIN, NULL},
    {"PKCS8", "emu-pkcs8", V_PKCS8, NULL},
    {"SEC1PARAMS", "emu-sec1params", V_SEC1PARAMS, NULL},
    {"MISMATCH", "emu-mismatch", V_MISMATCH, NULL},
    {"WS", "emu-ws", V_WS, NULL},
    {"REVERSED", "emu-reversed", V_REVERSED, NULL},
    {NULL, NULL, V_RSA, NULL}};

static char *variant_key(const struct chain_keys *ck, enum scm_variant v)
{
    switch (v) {
    case V_EC:
        return pki_key_pem(ck->ec, "traditional");
    case V_PKCS8:
        return pki_key_pem(ck->rsa, "pkcs8");
    case V_SEC1PARAMS:
        return ec_params_key(ck->ec);
    case V_MISMATCH:
        return pki_key_pem(ck->other, "traditional");
    default:
        return pki_key_pem(ck->rsa, "traditional");
    }
}

static void add_variant(FILE *env, const struct chain_keys *ck,
                        const struct variant_def *d, struct material *m)
{
    int ec = d->v == V_EC || d->v == V_SEC1PARAMS;
    char exp[32];
    expire_string(ec ? ck->ecc : ck->rsac, exp);
    struct scm_cert *c =
        add_cert(d->name, ec ? "ec.example.com" : "www.example.com", ec, exp);
    if (d->id != NULL)
        snprintf(c->id, sizeof(c->id), "%s", d->id);
    m->leaf = pki_cert_pem(ec ? ck->ecc : ck->rsac);
    m->key = variant_key(ck, d->v);
    c->export_json = export_body(m, d->v);
    free(m->leaf);
    free(m->key);
    if (env != NULL)
        fprintf(env, "EMU_SCM_%s=%s\n", d->env, c->id);
}

static void add_extras(const struct chain_keys *ck, struct material *m)
{
    for (int i = 0; i < g_emu.extra_certs; i++) {
        char name[32], dom[64], exp[32];
        snprintf(name, sizeof(name), "emu-extra-cert-%02d", i);
        snprintf(dom, sizeof(dom), "extra%02d.example.com", i);
        expire_string(ck->rsac, exp);
        struct scm_cert *c = add_cert(name, dom, 0, exp);
        if (i % 5 == 4)
            snprintf(c->status, sizeof(c->status), "EXPIRED");
        m->leaf = pki_cert_pem(ck->rsac);
        m->key = pki_key_pem(ck->rsa, "traditional");
        c->export_json = export_body(m, V_RSA);
        free(m->leaf);
        free(m->key);
    }
}

static void free_chain(struct chain_keys *ck)
{
    EVP_PKEY *k[] = {ck->root, ck->inter, ck->rsa, ck->ec, ck->other};
    X509 *x[] = {ck->rootc, ck->interc, ck->rsac, ck->ecc};
    for (size_t i = 0; i < 5; i++)
        EVP_PKEY_free(k[i]);
    for (size_t i = 0; i < 4; i++)
        X509_free(x[i]);
}

/* Caller holds the lock. A fresh key (never the cached one), so that
 * each renewal really changes the key as SCM's does. */
static int renew(struct scm_cert *c, long days, X509 **leaf)
{
    EVP_PKEY *k = c->ec ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                        : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    char *san = emu_printf("DNS:%s,IP:127.0.0.1", c->domain);
    struct material m = {0};
    *leaf = k != NULL ? pki_cert(k, c->domain, issuer.cert, issuer.key, 0, san,
                                 (int)days)
                      : NULL;
    free(san);
    if (*leaf == NULL) {
        EVP_PKEY_free(k);
        return -1;
    }
    m.leaf = pki_cert_pem(*leaf);
    m.inter = issuer.inter_pem;
    m.root = issuer.root_pem;
    m.key = pki_key_pem(k, "traditional");
    free(c->export_json);
    c->export_json = export_body(&m, c->ec ? V_EC : V_RSA);
    expire_string(*leaf, c->expire_time);
    free(m.leaf);
    free(m.key);
    EVP_PKEY_free(k);
    return 0;
}

static json_t *renewed_json(const struct scm_cert *c, X509 *leaf)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    json_t *j = json_pack("{s:b,s:s,s:s?,s:s}", "ok", 1, "id", c->id, "serial",
                          hex, "expire_time", c->expire_time);
    OPENSSL_free(hex);
    BN_free(bn);
    return j;
}

/* POST /_emu/scm/renew {"id", "days" (365)}: the certificate keeps its id
 * and name and gets a new key, serial and validity, as an SCM renewal. */
void scm_admin_renew(struct emu_req *req, struct emu_resp *resp)
{
    json_t *body = req_json(req);
    const char *id = json_string_value(json_object_get(body, "id"));
    json_t *d = json_object_get(body, "days");
    long days = json_is_integer(d) ? (long)json_integer_value(d) : 365;
    X509 *leaf = NULL;
    if (id == NULL || days < 1 || days > 3650) {
        resp_err(resp, SVC_NONE, 400, "EMU.0400",
                 "need {\"id\": certificate id, \"days\": 1..3650}");
        json_decref(body);
        return;
    }
    scm_fixtures_lock();
    struct scm_cert *c = (struct scm_cert *)scm_cert_find(id);
    if (c == NULL)
        resp_err(resp, SVC_NONE, 404, "EMU.0404", "no such certificate");
    else if (renew(c, days, &leaf) != 0)
        resp_err(resp, SVC_NONE, 500, "EMU.0500", "renewal failed");
    else
        resp_json(resp, 200, renewed_json(c, leaf));
    scm_fixtures_unlock();
    X509_free(leaf);
    json_decref(body);
}

static void keep_issuer(const struct chain_keys *ck, const struct material *m)
{
    EVP_PKEY_up_ref(ck->inter);
    X509_up_ref(ck->interc);
    issuer.key = ck->inter;
    issuer.cert = ck->interc;
    issuer.inter_pem = emu_strdup(m->inter);
    issuer.root_pem = emu_strdup(m->root);
}

int scm_fixtures_init(FILE *env)
{
    struct chain_keys ck = {0};
    if (make_chain(&ck) != 0) {
        free_chain(&ck);
        return -1;
    }
    struct material m = {0};
    m.root = pki_cert_pem(ck.rootc);
    m.inter = pki_cert_pem(ck.interc);
    if (pki_write_pem(g_emu.state_dir, "scm-root.pem", m.root) != 0) {
        free_chain(&ck);
        return -1;
    }
    fprintf(env, "EMU_SCM_ROOT=%s/scm-root.pem\n", g_emu.state_dir);
    fprintf(env, "EMU_SCM_RSA_NAME=www-example-com\n");
    for (const struct variant_def *d = variants; d->env != NULL; d++)
        add_variant(env, &ck, d, &m);
    add_extras(&ck, &m);
    keep_issuer(&ck, &m);
    free_chain(&ck);
    free(m.root);
    free(m.inter);
    return 0;
}

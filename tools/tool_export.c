/*
 * tool_export.c: `uri2pem` (a key file that names a key by its URI, for
 * servers that read keys with PEM_read_bio_PrivateKey) and `export` (the
 * certificate chain of an SCM certificate, leaf first, for the servers'
 * certificate directives, which never reach a provider).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "formats/uriwrap.h"
#include "core/hwc.h"
#include "tool.h"
#include "resolve/uri.h"

#define MAX_CHAIN 32

/*-------------------------------------------------------- uri2pem */

static void uri2pem_help(void)
{
    printf("usage: " TOOL_NAME " uri2pem <uri> [-o FILE] [--der]\n"
           "\n"
           "Writes a key file that names <uri> (kms:key/<id>,\n"
           "kms:alias/<alias>, scm:cert/<id>, scm:name/<name>,\n"
           "codearts:keystore/<file>) to stdout or FILE. It holds no\n"
           "secret: with uri_pem = yes in its openssl.cnf section, the\n"
           "hwcloud provider turns it into the key the URI names when a\n"
           "program reads it as a private key (nginx ssl_certificate_key,\n"
           "HAProxy <crt>.key, Apache SSLCertificateKeyFile, curl --key).\n"
           "No request is made.\n"
           "\n"
           "  -o FILE   write to FILE (atomically, mode 0644), not stdout\n"
           "  --der     write the DER form instead of PEM\n");
}

/* Only URIs that name a private key are worth wrapping. */
static int check_key_uri(const char *uri)
{
    hwc_uri u;

    if (!hwc_uri_parse(uri, &u)) {
        tool_print_errors();
        return 0;
    }
    if (u.kind == HWC_URI_DCS_SSL) {
        tool_err("%s names CA certificates only, no private key", uri);
        return 0;
    }
    if (hwc_uri_is_listing(&u)) {
        tool_err("%s is a listing, not a key: wrap the URI of one key", uri);
        return 0;
    }
    return 1;
}

static int write_wrapped(const char *uri, const char *out, int der)
{
    unsigned char *d = NULL;
    size_t len = 0;
    char *pem = NULL;
    int ok;

    if (der) {
        ok = hwc_uri_wrap_der(uri, &d, &len) && tool_write_atomic(out, d, len);
    } else {
        ok = (pem = hwc_uri_wrap_pem(uri)) != NULL &&
             tool_write_atomic(out, pem, strlen(pem));
    }
    if (!ok) {
        tool_print_errors();
    }
    OPENSSL_free(d);
    OPENSSL_free(pem);
    return ok ? EXIT_OK : EXIT_FAILED;
}

int cmd_uri2pem(const tool_opts *o, int argc, char **argv)
{
    const char *uri = NULL, *out = "-";
    int der = 0;

    (void)o;
    for (int i = 1; i < argc; i++) {
        if (tool_is_help(argv[i])) {
            uri2pem_help();
            return EXIT_OK;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--der") == 0) {
            der = 1;
        } else if (argv[i][0] == '-' || uri != NULL) {
            return tool_usage_error("uri2pem", "unexpected argument '%s'",
                                    argv[i]);
        } else {
            uri = argv[i];
        }
    }
    if (uri == NULL) {
        return tool_usage_error("uri2pem", "uri2pem needs a URI");
    }
    if (!check_key_uri(uri)) {
        return EXIT_USAGE;
    }
    return write_wrapped(uri, out, der);
}

/*-------------------------------------------------------- export */

static void export_help(void)
{
    printf("usage: " TOOL_NAME " export <uri> -o FILE [--json]\n"
           "\n"
           "Writes the certificates of <uri> as PEM to FILE: for\n"
           "scm:cert/<id> or scm:name/<name> the leaf, then its chain; for\n"
           "dcs:ssl/<id> the CA certificates. FILE is replaced through a\n"
           "temporary file and a rename, mode 0644; '-o -' is stdout. The\n"
           "private key is never written: point the server at a key file\n"
           "made with 'uri2pem'. Renewal: export the new chain, then\n"
           "reload the server, which fetches the key again.\n"
           "\n"
           "  -o FILE   where to write (required)\n"
           "  --json    print what was written as JSON on stdout\n");
}

STACK_OF(X509) * tool_load_certs(OSSL_LIB_CTX *libctx, const char *uri)
{
    OSSL_STORE_CTX *sc = NULL;
    STACK_OF(X509) *certs = sk_X509_new_null();
    int ok = certs != NULL;

    if (ok) {
        sc =
            OSSL_STORE_open_ex(uri, libctx, NULL, NULL, NULL, NULL, NULL, NULL);
        ok = sc != NULL && OSSL_STORE_expect(sc, OSSL_STORE_INFO_CERT);
    }
    while (ok && !OSSL_STORE_eof(sc)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(sc);

        if (info == NULL) {
            ok = ERR_peek_error() == 0; /* NULL at the end is not an error */
            continue;
        }
        ok = sk_X509_num(certs) < MAX_CHAIN &&
             sk_X509_push(certs, OSSL_STORE_INFO_get1_CERT(info)) > 0;
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(sc);
    if (!ok || sk_X509_num(certs) == 0) {
        if (ok) {
            hwc_raise(HWC_R_NOT_FOUND, "%s: no certificate found", uri);
        }
        sk_X509_pop_free(certs, X509_free);
        return NULL;
    }
    return certs;
}

static char *chain_pem(STACK_OF(X509) * certs, size_t *len)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL, *out = NULL;
    int ok = b != NULL;

    for (int i = 0; ok && i < sk_X509_num(certs); i++) {
        ok = PEM_write_bio_X509(b, sk_X509_value(certs, i));
    }
    if (ok && (*len = (size_t)BIO_get_mem_data(b, &p)) > 0 &&
        (out = OPENSSL_malloc(*len)) != NULL) {
        memcpy(out, p, *len);
    }
    BIO_free(b);
    return out;
}

static char *name_text(const X509_NAME *n)
{
    return X509_NAME_oneline(n, NULL, 0);
}

static json_t *cert_json(X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char *subj = name_text(X509_get_subject_name(x));
    char *iss = name_text(X509_get_issuer_name(x));
    char *fp = NULL, nb[64] = "";
    BIO *b = BIO_new(BIO_s_mem());
    json_t *j;

    if (X509_digest(x, EVP_sha256(), md, &mdlen)) {
        fp = hwc_hex_encode(md, mdlen);
    }
    if (b != NULL && ASN1_TIME_print(b, X509_get0_notAfter(x))) {
        BIO_read(b, nb, sizeof(nb) - 1);
    }
    j = json_pack("{s:s?,s:s?,s:s,s:s?}", "subject", subj, "issuer", iss,
                  "not_after", nb, "sha256", fp);
    BIO_free(b);
    OPENSSL_free(subj);
    OPENSSL_free(iss);
    OPENSSL_free(fp);
    return j;
}

static void report_export(const tool_opts *o, const char *uri, const char *out,
                          STACK_OF(X509) * certs)
{
    json_t *list, *root;
    char *leaf;

    if (!o->json) {
        if (strcmp(out, "-") != 0) {
            X509 *first = sk_X509_value(certs, 0);

            /* A DCS archive holds the Redis CA, and no leaf. */
            leaf = name_text(X509_get_subject_name(first));
            printf("%s: wrote %d certificate(s) to %s (%s %s)\n", uri,
                   sk_X509_num(certs), out,
                   X509_check_ca(first) ? "CA certificate" : "leaf",
                   leaf ? leaf : "?");
            OPENSSL_free(leaf);
        }
        return;
    }
    list = json_array();
    for (int i = 0; i < sk_X509_num(certs); i++) {
        json_array_append_new(list, cert_json(sk_X509_value(certs, i)));
    }
    root = json_pack("{s:s,s:s,s:b,s:o}", "uri", uri, "file", out, "ok", 1,
                     "certificates", list);
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
}

static int check_cert_uri(const char *uri)
{
    hwc_uri u;

    if (!hwc_uri_parse(uri, &u)) {
        tool_print_errors();
        return 0;
    }
    if (u.kind != HWC_URI_SCM_CERT && u.kind != HWC_URI_SCM_NAME &&
        u.kind != HWC_URI_DCS_SSL) {
        tool_err("%s: export takes scm:cert/<id>, scm:name/<name> or "
                 "dcs:ssl/<id>",
                 uri);
        return 0;
    }
    return 1;
}

/* --json on failure: {"ok": false, "error": "..."} (also on stderr). */
static void report_failure(const tool_opts *o, const char *uri)
{
    char *why;
    json_t *root;

    if (!o->json) {
        tool_print_errors();
        return;
    }
    why = tool_take_errors();
    root = json_pack("{s:s,s:b,s:s?}", "uri", uri, "ok", 0, "error", why);
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    tool_err("%s", why != NULL ? why : "export failed");
    json_decref(root);
    OPENSSL_free(why);
}

static int do_export(const tool_opts *o, const char *uri, const char *out)
{
    OSSL_LIB_CTX *libctx = tool_provider_libctx(o);
    STACK_OF(X509) *certs = libctx ? tool_load_certs(libctx, uri) : NULL;
    char *pem = NULL;
    size_t len = 0;
    int ok;

    ok = certs != NULL && (pem = chain_pem(certs, &len)) != NULL &&
         tool_write_atomic(out, pem, len);
    if (ok) {
        report_export(o, uri, out, certs);
    } else {
        report_failure(o, uri);
    }
    OPENSSL_free(pem);
    sk_X509_pop_free(certs, X509_free);
    OSSL_LIB_CTX_free(libctx);
    return ok ? EXIT_OK : EXIT_FAILED;
}

int cmd_export(const tool_opts *o, int argc, char **argv)
{
    const char *uri = NULL, *out = NULL;

    for (int i = 1; i < argc; i++) {
        if (tool_is_help(argv[i])) {
            export_help();
            return EXIT_OK;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-' || uri != NULL) {
            return tool_usage_error("export", "unexpected argument '%s'",
                                    argv[i]);
        } else {
            uri = argv[i];
        }
    }
    if (uri == NULL || out == NULL) {
        return tool_usage_error("export", "export needs a URI and -o FILE");
    }
    if (o->json && strcmp(out, "-") == 0) {
        return tool_usage_error("export", "--json needs -o FILE, not -o -");
    }
    if (!check_cert_uri(uri)) {
        return EXIT_USAGE;
    }
    return do_export(o, uri, out);
}

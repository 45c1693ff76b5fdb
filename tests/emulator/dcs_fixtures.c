/* dcs_fixtures.c: the DCS fixtures: the Redis CA and a server certificate
 * it signs, and one instance per download-file container or link quirk
 * (zip, tar.gz, tar, PEM, DER, no SSL, http/file/redirect links). */
#include "dcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

static struct dcs_inst insts[9];
static size_t ninsts;

const struct dcs_inst *dcs_find(const char *id)
{
    for (size_t i = 0; i < ninsts; i++)
        if (strcmp(insts[i].id, id) == 0)
            return &insts[i];
    return NULL;
}

const struct dcs_inst *dcs_find_object(const char *objdir, const char *file)
{
    for (size_t i = 0; i < ninsts; i++)
        if (strcmp(insts[i].objdir, objdir) == 0 &&
            strcmp(insts[i].file_name, file) == 0)
            return &insts[i];
    return NULL;
}

/* ca.crt packed into a zip or (gzip-compressed) tar held in memory */
static unsigned char *archive_of(int zip, int gz, const char *pem,
                                 size_t *outlen)
{
    size_t len = strlen(pem), cap = len + 65536, used = 0;
    unsigned char *buf = malloc(cap);
    struct archive *a = archive_write_new();
    if (zip)
        archive_write_set_format_zip(a);
    else
        archive_write_set_format_ustar(a);
    if (gz)
        archive_write_add_filter_gzip(a);
    archive_write_open_memory(a, buf, cap, &used);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "ca.crt");
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, time(NULL), 0);
    int ok = archive_write_header(a, e) == ARCHIVE_OK &&
             archive_write_data(a, pem, len) == (la_ssize_t)len;
    archive_entry_free(e);
    ok = archive_write_close(a) == ARCHIVE_OK && ok;
    archive_write_free(a);
    if (!ok) {
        free(buf);
        return NULL;
    }
    *outlen = used;
    return buf;
}

struct inst_def {
    const char *env;
    enum dcs_kind kind;
    const char *file_name;
    const char *id; /* the id the docs show, or NULL (random) */
};

static const struct inst_def defs[] = {
    {"ZIP", D_ZIP, "dcs-ssl-cert.zip", "5bcff07a-eb39-4c80-a6de-02a97db4dd9f"},
    {"TGZ", D_TGZ, "dcs-ssl-cert.tar.gz", NULL},
    {"TAR", D_TAR, "dcs-ssl-cert.tar", NULL},
    {"PEM", D_PEM, "ca.crt", NULL},
    {"DER", D_DER, "ca.cer", NULL},
    {"NOSSL", D_NOSSL, "dcs-ssl-cert.zip", NULL},
    {"HTTPLINK", D_HTTPLINK, "dcs-ssl-cert.zip", NULL},
    {"FILELINK", D_FILELINK, "dcs-ssl-cert.zip", NULL},
    {"REDIRECT", D_REDIRECT, "dcs-ssl-cert.zip", NULL},
    {NULL, D_ZIP, NULL, NULL}};

static int fill_file(struct dcs_inst *in, const char *pem, X509 *ca)
{
    switch (in->kind) {
    case D_TGZ:
        in->file = archive_of(0, 1, pem, &in->len);
        break;
    case D_TAR:
        in->file = archive_of(0, 0, pem, &in->len);
        break;
    case D_PEM:
        in->file = (unsigned char *)emu_strdup(pem);
        in->len = strlen(pem);
        break;
    case D_DER:
        in->file = pki_cert_der(ca, &in->len);
        break;
    default:
        in->file = archive_of(1, 0, pem, &in->len);
        break;
    }
    return in->file != NULL ? 0 : -1;
}

static void expiry(X509 *x, char *out, size_t n)
{
    struct tm tm;
    ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static int write_server(FILE *env, X509 *ca, EVP_PKEY *cak)
{
    EVP_PKEY *sk = pki_key("dcs-server", "RSA", 2048);
    X509 *srv = sk != NULL ? pki_cert(sk, "127.0.0.1", ca, cak, 0,
                                      "IP:127.0.0.1,DNS:localhost", 365)
                           : NULL;
    if (srv == NULL)
        return -1;
    char *pem = pki_cert_pem(srv), *key = pki_key_pem(sk, "pkcs8");
    int r = pki_write_pem(g_emu.state_dir, "dcs-server.pem", pem) |
            pki_write_pem(g_emu.state_dir, "dcs-server.key", key);
    fprintf(env, "EMU_DCS_SERVER_CERT=%s/dcs-server.pem\n", g_emu.state_dir);
    fprintf(env, "EMU_DCS_SERVER_KEY=%s/dcs-server.key\n", g_emu.state_dir);
    free(pem);
    free(key);
    X509_free(srv);
    EVP_PKEY_free(sk);
    return r;
}

int dcs_fixtures_init(FILE *env)
{
    EVP_PKEY *cak = pki_key("dcs-ca", "RSA", 2048);
    X509 *ca = cak != NULL ? pki_cert(cak, "HWC Emulator Redis CA", NULL, NULL,
                                      1, NULL, 3650)
                           : NULL;
    if (ca == NULL)
        return -1;
    char *pem = pki_cert_pem(ca);
    int r = pki_write_pem(g_emu.state_dir, "dcs-ca.pem", pem);
    fprintf(env, "EMU_DCS_CA=%s/dcs-ca.pem\n", g_emu.state_dir);
    for (const struct inst_def *d = defs; r == 0 && d->env != NULL; d++) {
        struct dcs_inst *in = &insts[ninsts++];
        emu_uuid(in->id);
        if (d->id != NULL)
            snprintf(in->id, sizeof(in->id), "%s", d->id);
        in->kind = d->kind;
        snprintf(in->file_name, sizeof(in->file_name), "%s", d->file_name);
        char rnd[9];
        emu_rand_hex(rnd, 8);
        snprintf(in->objdir, sizeof(in->objdir), "ssl-%s", rnd);
        expiry(ca, in->ssl_expired_at, sizeof(in->ssl_expired_at));
        r = fill_file(in, pem, ca);
        fprintf(env, "EMU_DCS_%s=%s\n", d->env, in->id);
    }
    r = r != 0 ? r : write_server(env, ca, cak);
    free(pem);
    X509_free(ca);
    EVP_PKEY_free(cak);
    return r;
}

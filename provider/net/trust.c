/*
 * trust.c: the CA bundles a transport verifies the API with. Each is read
 * once and kept in memory (CURLOPT_CAINFO_BLOB): servers that chroot or
 * drop privileges after loading their keys (HAProxy, nginx workers) still
 * verify the API when they sign later.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "net/trust.h"

void hwc_trust_init(hwc_trust_set *ts)
{
    memset(ts, 0, sizeof(*ts));
    hwc_forklock_init(&ts->lock, NULL, NULL);
}

void hwc_trust_clear(hwc_trust_set *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        OPENSSL_free(ts->blob[i].path);
        hwc_buf_free(&ts->blob[i].pem);
    }
    ts->n = 0;
    hwc_forklock_destroy(&ts->lock);
}

static int read_file_into(const char *path, hwc_buf *b)
{
    FILE *f = fopen(path, "r");
    char chunk[8192];
    size_t n;

    if (f == NULL) {
        return 0;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (!hwc_buf_append(b, chunk, n)) {
            break;
        }
    }
    fclose(f);
    return hwc_buf_append_str(b, "\n");
}

/* The bundle for (ca_file, system); NULL when it cannot be read. It lives
 * as long as the set. */
static const hwc_buf *trust_bundle(hwc_trust_set *ts, const char *ca_file,
                                   int system)
{
    const char *key = ca_file ? ca_file : "";
    const hwc_buf *found = NULL;
    struct hwc_trust_blob *t;

    hwc_forklock_lock(&ts->lock);
    for (size_t i = 0; i < ts->n && found == NULL; i++) {
        if (ts->blob[i].system == system &&
            strcmp(ts->blob[i].path, key) == 0) {
            found = &ts->blob[i].pem;
        }
    }
    if (found == NULL && ts->n < sizeof(ts->blob) / sizeof(ts->blob[0])) {
        t = &ts->blob[ts->n];
        memset(t, 0, sizeof(*t));
        if ((t->path = OPENSSL_strdup(key)) != NULL &&
            (!system || read_file_into(X509_get_default_cert_file(), &t->pem) ||
             ca_file != NULL) &&
            (ca_file == NULL || read_file_into(ca_file, &t->pem))) {
            t->system = system;
            ts->n++;
            found = &t->pem;
        } else {
            OPENSSL_free(t->path);
            hwc_buf_free(&t->pem);
        }
    }
    hwc_forklock_unlock(&ts->lock);
    return found;
}

int hwc_trust_apply(hwc_trust_set *ts, CURL *c, const char *ca_file,
                    int add_system)
{
    const hwc_buf *pem;
    struct curl_blob blob;

    /* No ca_file: libcurl's default, the system store. */
    if (ca_file == NULL) {
        return 1;
    }
    if ((pem = trust_bundle(ts, ca_file, add_system)) == NULL) {
        return 0;
    }
    blob.data = pem->data;
    blob.len = pem->len;
    blob.flags = CURL_BLOB_NOCOPY; /* kept for the life of the set */
    /* Only the blob: no compiled-in directory adds trust behind it. */
    return curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_CAPATH, NULL) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_CAINFO, NULL) == CURLE_OK;
}

/*
 * codearts.c: the CodeArts Build client. GET /v3/keystore returns the
 * file's raw bytes; it needs the account's domain_id (configured, else
 * discovered through the credentials) and a project-scoped token.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "services/codearts.h"

int hwc_codearts_download_keystore(const hwc_client *cl, const char *file_name,
                                   unsigned char **data, size_t *len)
{
    const char *domain = hwc_client_domain(cl);
    char *base = NULL, query[400];
    hwc_http_opts o = cl->http;
    hwc_http_resp r;
    hwc_call c;
    int ok = 0;

    *data = NULL;
    *len = 0;
    if (domain == NULL) {
        return 0;
    }
    if ((base = hwc_client_base_url(cl, HWC_SVC_CODEARTS)) == NULL) {
        return 0;
    }
    /* file_name is validated by the URI grammar: nothing to escape. */
    snprintf(query, sizeof(query), "file_name=%s&domain_id=%s", file_name,
             domain);
    o.max_body = HWC_MAX_KEYSTORE;
    hwc_client_prepare(cl, &c, HWC_SVC_CODEARTS, "GET", base, "/v3/keystore");
    c.query = query;
    c.http = &o;
    c.answer = HWC_ANSWER_RAW; /* the file itself, not JSON */
    if (hwc_call_perform(&c, &r)) {
        *data = hwc_buf_steal(&r.body, len);
        ok = *data != NULL;
        if (!ok) {
            hwc_raise(HWC_R_MALLOC, "%s: keeping the keystore", cl->what);
        }
        hwc_http_resp_free(&r);
    }
    OPENSSL_free(base);
    return ok;
}

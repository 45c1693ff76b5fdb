/*
 * headers.c: HTTP headers both ways: the request's, checked against
 * header injection and wiped when freed (they carry tokens and
 * signatures), and the answer's few that matter (request id, content
 * type, Retry-After, a login's subject token).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "net/headers.h"

static void copy_value(char *dst, size_t cap, const char *v, size_t len)
{
    while (len > 0 &&
           (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ')) {
        len--;
    }
    while (len > 0 && *v == ' ') {
        v++;
        len--;
    }
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(dst, v, len);
    dst[len] = '\0';
}

static int header_is(const char *line, size_t len, const char *name,
                     const char **value, size_t *vlen)
{
    size_t n = strlen(name);

    if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0) {
        return 0;
    }
    *value = line + n + 1;
    *vlen = len - n - 1;
    return 1;
}

int hwc_http_parse_header(const char *p, size_t len, hwc_http_resp *resp)
{
    const char *v;
    size_t vlen;
    char tmp[32];

    if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* A new response (after 100-continue or a redirect) starts. */
        resp->request_id[0] = '\0';
        resp->retry_after = -1;
    } else if (header_is(p, len, "X-Request-Id", &v, &vlen)) {
        copy_value(resp->request_id, sizeof(resp->request_id), v, vlen);
    } else if (header_is(p, len, "Content-Type", &v, &vlen)) {
        copy_value(resp->content_type, sizeof(resp->content_type), v, vlen);
    } else if (header_is(p, len, "Retry-After", &v, &vlen)) {
        copy_value(tmp, sizeof(tmp), v, vlen);
        char *end;
        long s = strtol(tmp, &end, 10);
        resp->retry_after = (*tmp != '\0' && *end == '\0' && s >= 0) ? s : -1;
    } else if (header_is(p, len, "X-Subject-Token", &v, &vlen)) {
        /* Tokens can be megabytes long (SCM documents 2 MiB). */
        char *tok = OPENSSL_malloc(vlen + 1);
        if (tok == NULL) {
            return 0;
        }
        copy_value(tok, vlen + 1, v, vlen);
        hwc_secret_free(resp->subject_token);
        resp->subject_token = tok;
    }
    return 1;
}

struct curl_slist *hwc_http_build_headers(const hwc_http_req *req)
{
    struct curl_slist *list = NULL, *tmp;
    hwc_buf line = {0};

    /* libcurl would add it on its own; we want it absent. Accept and
     * Content-Type are the caller's (call.c). */
    list = curl_slist_append(list, "Expect:");
    for (size_t i = 0; list != NULL && i < req->nheaders; i++) {
        const hwc_header *h = &req->headers[i];
        if (strpbrk(h->name, "\r\n:") != NULL ||
            strpbrk(h->value, "\r\n") != NULL) {
            tmp = NULL; /* header injection: refuse the request */
        } else {
            /* Appends, not printf: a token header is kilobytes long. */
            line.len = 0;
            tmp = hwc_buf_append_str(&line, h->name) &&
                          hwc_buf_append(&line, ": ", 2) &&
                          hwc_buf_append_str(&line, h->value)
                      ? curl_slist_append(list, hwc_buf_cstr(&line))
                      : NULL;
        }
        if (tmp == NULL) {
            curl_slist_free_all(list);
            list = NULL;
        }
    }
    hwc_buf_free(&line);
    return list;
}

void hwc_http_free_headers(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l != NULL; l = l->next) {
        OPENSSL_cleanse(l->data, strlen(l->data));
    }
    curl_slist_free_all(list);
}

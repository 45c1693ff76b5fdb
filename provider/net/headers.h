/*
 * headers.h: HTTP headers both ways (headers.c). hwc_http_parse_header,
 * for the answer's, is declared in transport.h.
 */
#ifndef HWC_HEADERS_H
#define HWC_HEADERS_H

#include <curl/curl.h>

#include "net/transport.h"

/* The request's headers as libcurl takes them (with "Expect:" to keep
 * libcurl from adding it); NULL when out of memory or when a name or value
 * would inject a header. */
struct curl_slist *hwc_http_build_headers(const hwc_http_req *req);
/* Wipes our copies of header values (tokens, signatures) before freeing. */
void hwc_http_free_headers(struct curl_slist *list);

#endif /* HWC_HEADERS_H */

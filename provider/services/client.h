/*
 * client.h: what every service client needs for one object: the effective
 * settings (URI overrides applied), the credentials, the transport options
 * and the base URL of each service. Built per URI by hwc_fetch_client
 * (fetch.h); shared by reference with remote keys, which outlive the store
 * context that loaded them.
 */
#ifndef HWC_CLIENT_H
#define HWC_CLIENT_H

#include "auth/auth.h"
#include "net/call.h"
#include "services/paging.h"
#include "core/settings.h"

#define HWC_MAX_API_BODY (4 * 1024 * 1024)

typedef struct hwc_client {
    int refs;
    hwc_settings *st; /* own copy */
    hwc_auth *auth;   /* shared (not owned) */
    hwc_http_opts http;
    char *ca_file; /* backing store for http.ca_file */
    int retries;
    long deadline_ms;
    char *what; /* the URI, for messages */
} hwc_client;

/* st is copied; auth must outlive the client. */
hwc_client *hwc_client_new(const hwc_settings *st, hwc_auth *auth,
                           const char *what);
hwc_client *hwc_client_up_ref(hwc_client *cl);
void hwc_client_free(hwc_client *cl);

/* Base URL of svc: <svc>_endpoint, else endpoint, else the cloud's
 * default for the region. OPENSSL_free it. */
char *hwc_client_base_url(const hwc_client *cl, enum hwc_service svc);

/* The project id a project-scoped service needs, or NULL with an error. */
const char *hwc_client_project(const hwc_client *cl);

/* The account id (domain_id, else discovered through the credentials, see
 * hwc_auth_domain_id), or NULL with an error. */
const char *hwc_client_domain(const hwc_client *cl);

/* Fills the common fields of a call (what, auth, http, retries, scope). */
void hwc_client_prepare(const hwc_client *cl, hwc_call *c, enum hwc_service svc,
                        const char *method, const char *base_url,
                        const char *path);

#endif /* HWC_CLIENT_H */

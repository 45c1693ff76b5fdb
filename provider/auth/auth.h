/*
 * auth.h: credentials behind one interface (hwc_auth_ops in call.h). The
 * service clients hand an hwc_auth to every call and never learn which
 * method is in use: a static token, an IAM password login, an agency, an
 * AK/SK pair or the ECS metadata service.
 *
 * Login-based methods cache their tokens per project scope until shortly
 * before expires_at, shared by every thread (one login at a time per
 * scope; the others wait for it) and inherited across fork.
 */
#ifndef HWC_AUTH_H
#define HWC_AUTH_H

#include "net/call.h"
#include "core/settings.h"

typedef struct hwc_auth hwc_auth;

/* Picks the method (auth=auto: the first whose settings are present, in
 * the order token, aksk, agency, password, metadata) and reads secret
 * files once. NULL with an HWC_R_AUTH/CONFIG error. */
hwc_auth *hwc_auth_new(const hwc_settings *st);
void hwc_auth_free(hwc_auth *a);

/* The operations call.c invokes; pass the hwc_auth as their `auth`. */
extern const hwc_auth_ops hwc_auth_ops_default;

/* "token", "password", "agency", "aksk", "metadata". */
const char *hwc_auth_method(const hwc_auth *a);

/*
 * The project id of region, discovered through IAM once per hwc_auth (a
 * region-scoped login for password/agency, GET /v3/projects?name= for the
 * others). tmpl is a prepared IAM call (base URL, transport, what). The
 * string lives as long as a. NULL with an error raised.
 */
const char *hwc_auth_project_id(hwc_auth *a, const hwc_call *tmpl,
                                const char *region);

/*
 * The account (domain) id: domain_id when configured, else discovered once
 * per hwc_auth: from the token answer of a password or agency login, with
 * GET /v3/auth/domains at IAM for the other methods. c is the call that
 * needs it (its region picks IAM; what, transport and deadline are reused).
 * The string lives as long as a. NULL with an error raised.
 */
const char *hwc_auth_domain_id(hwc_auth *a, const hwc_call *c);

/*
 * Reads a secret file once: refuses one readable by others (as ssh does),
 * accepts one readable by its group with a debug-log warning. Trailing
 * newlines are stripped. The caller frees with hwc_secret_free.
 */
char *hwc_read_secret_file(const char *setting, const char *path);

/* When a cached credential obtained at now and valid until expires should
 * be replaced: 5 minutes early, or at half its lifetime if shorter. */
long hwc_auth_refresh_at(long now, long lifetime);

#endif /* HWC_AUTH_H */

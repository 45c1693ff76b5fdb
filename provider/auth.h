/*
 * auth.h: credentials behind one interface (hwc_auth_ops in call.h). The
 * service clients hand an hwc_auth to every call and never learn which
 * method is in use: a static token, an IAM password login, an agency, an
 * AK/SK pair or the ECS metadata service.
 */
#ifndef HWC_AUTH_H
#define HWC_AUTH_H

#include "call.h"
#include "settings.h"

typedef struct hwc_auth hwc_auth;

/* Picks the method (auth=auto: the first whose settings are present) and
 * reads secret files once. NULL with an HWC_R_AUTH/CONFIG error. */
hwc_auth *hwc_auth_new(const hwc_settings *st);
void hwc_auth_free(hwc_auth *a);

/* The operations call.c invokes; pass the hwc_auth as their `auth`. */
extern const hwc_auth_ops hwc_auth_ops_default;

/* "token", "password", "agency", "aksk", "metadata". */
const char *hwc_auth_method(const hwc_auth *a);

/*
 * Reads a secret file once: refuses one readable by others (as ssh does),
 * accepts one readable by its group with a debug-log warning. Trailing
 * newlines are stripped. The caller frees with hwc_secret_free.
 */
char *hwc_read_secret_file(const char *setting, const char *path);

#endif /* HWC_AUTH_H */

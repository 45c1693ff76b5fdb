/*
 * metadata.h: temporary AK/SK credentials from the ECS/BMS metadata
 * service (optional IMDS session token, then /openstack/latest/securitykey).
 * The one place where plain http is allowed. Caching is auth.c's job.
 */
#ifndef HWC_METADATA_H
#define HWC_METADATA_H

#include <time.h>

#include "net/transport.h"

#define HWC_METADATA_DEFAULT "http://169.254.169.254"

typedef struct hwc_md_cred {
    char *ak;
    char *sk;             /* secret */
    char *security_token; /* secret */
    time_t expires_at;
} hwc_md_cred;

/* The IMDS session token the service may ask for, kept between calls. */
typedef struct hwc_md_session {
    char *token; /* secret; NULL when none is needed or none yet */
    int not_needed;
    time_t expires;
} hwc_md_session;

/*
 * Fetches credentials from base ("http://169.254.169.254" or the
 * metadata_endpoint setting). tmpl gives the CA file and timeouts; the
 * requests are made with allow_http set. ses is read and updated.
 */
int hwc_metadata_fetch(const char *base, const hwc_http_opts *tmpl,
                       hwc_md_session *ses, hwc_md_cred *out);

/* The securitykey answer's credential (access, secret, securitytoken,
 * expires_at, all required); cleared on failure. Pure: fuzzed. */
int hwc_md_parse_cred(const char *what, const void *body, size_t len,
                      hwc_md_cred *out);
/* A 200 session token answer: b's text, trailing whitespace removed, is
 * stolen into ses->token (a secret). Pure: fuzzed. */
int hwc_md_parse_session(const char *what, hwc_buf *b, hwc_md_session *ses);

void hwc_md_cred_clear(hwc_md_cred *c);
void hwc_md_session_clear(hwc_md_session *s);

#endif /* HWC_METADATA_H */

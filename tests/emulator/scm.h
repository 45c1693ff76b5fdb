/* scm.h: SCM-internal declarations (certificate fixture table). */
#ifndef HWC_EMU_SCM_H
#define HWC_EMU_SCM_H

#include "emu.h"

enum scm_variant {
    V_RSA,
    V_EC,
    V_CRLF,
    V_GLUED,
    V_NOLEAF,
    V_NULLCHAIN,
    V_EMPTYCHAIN,
    V_PKCS8,
    V_SEC1PARAMS,
    V_MISMATCH,
    V_WS,
    V_REVERSED
};

struct scm_cert {
    char id[17];
    char name[64];
    char domain[64];
    char expire_time[32];
    char status[16];
    int ec;
    char *export_json;
};

size_t scm_cert_count(void);
const struct scm_cert *scm_cert_at(size_t i);
const struct scm_cert *scm_cert_find(const char *id);
/* Held around every SCM request: renewal changes certificates. */
void scm_fixtures_lock(void);
void scm_fixtures_unlock(void);

#endif

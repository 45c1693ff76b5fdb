/* dcs.h: DCS-internal declarations (instances with their SSL certificate
 * download file) shared by dcs.c, obs.c and dcs_fixtures.c. */
#ifndef HWC_EMU_DCS_H
#define HWC_EMU_DCS_H

#include "emu.h"

enum dcs_kind {
    D_ZIP,
    D_TGZ,
    D_TAR,
    D_PEM,
    D_DER,
    D_NOSSL,
    D_HTTPLINK,
    D_FILELINK,
    D_REDIRECT
};

struct dcs_inst {
    char id[37];
    enum dcs_kind kind;
    char file_name[64];
    char objdir[32];
    unsigned char *file;
    size_t len;
    char ssl_expired_at[40];
};

const struct dcs_inst *dcs_find(const char *id);
const struct dcs_inst *dcs_find_object(const char *objdir, const char *file);
const char *dcs_bucket(void);
/* The V2 query signature; content_md5 and content_type are the request's
 * headers ("" when absent), which the string to sign covers. */
char *obs_signature(const char *bucket, const char *objdir, const char *file,
                    long expires, const char *content_md5,
                    const char *content_type);

#endif

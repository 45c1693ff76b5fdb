/*
 * codearts.h: the CodeArts Build client: download a keystore file.
 */
#ifndef HWC_CODEARTS_H
#define HWC_CODEARTS_H

#include "services/client.h"

#define HWC_MAX_KEYSTORE (1024 * 1024)

/* The raw file; free with OPENSSL_clear_free(*data, *len). */
int hwc_codearts_download_keystore(const hwc_client *cl, const char *file_name,
                                   unsigned char **data, size_t *len);

#endif /* HWC_CODEARTS_H */

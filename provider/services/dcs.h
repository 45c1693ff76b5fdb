/*
 * dcs.h: the DCS client: the SSL certificate download of a Redis
 * instance (a presigned OBS link, then the file it points to).
 */
#ifndef HWC_DCS_H
#define HWC_DCS_H

#include "services/client.h"

#define HWC_MAX_DOWNLOAD (1024 * 1024)

/* The link of a download answer; OPENSSL_free it. Pure: fuzzed. */
int hwc_dcs_parse_link(const char *what, json_t *resp, char **link);

/* Whether a download link may be fetched: https:// to a host of hosts
 * (dcs_download_hosts: names, each also standing for its subdomains; NULL:
 * the default OBS domains), without user info. host gets the link's host
 * (for messages), "(none)" if it has none. Pure: tested. */
int hwc_dcs_link_allowed(const char *link, const char *hosts, char *host,
                         size_t cap);

/* The downloaded file (not yet unpacked); OPENSSL_free *data. */
int hwc_dcs_download_ssl(const hwc_client *cl, const char *instance_id,
                         unsigned char **data, size_t *len);

#endif /* HWC_DCS_H */

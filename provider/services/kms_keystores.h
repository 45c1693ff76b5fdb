/*
 * kms_keystores.h: the KMS dedicated keystore API (keys backed by a Dedicated
 * HSM cluster): list, show, create, delete.
 */
#ifndef HWC_KMS_KEYSTORES_H
#define HWC_KMS_KEYSTORES_H

#include "services/client.h"

typedef struct hwc_keystore_info {
    char id[64];
    char alias[256];
    char type[16];
    char hsm_cluster_id[128];
    char create_time[40];
} hwc_keystore_info;

typedef int hwc_keystore_cb(const hwc_keystore_info *info, void *arg);

/* A keystore object (list entries, show's keystore); keystore_id is
 * required. Pure: fuzzed. */
int hwc_keystores_parse_info(const char *what, json_t *o,
                             hwc_keystore_info *info);
/* The body of a list page: keystores, total (range-checked). Pure: fuzzed. */
int hwc_keystores_parse_list(const char *what, json_t *resp, int *seen,
                             int *total, hwc_keystore_cb *cb, void *arg);
/* The create answer's keystore.keystore_id into id. Pure: fuzzed. */
int hwc_keystores_parse_created(const char *what, json_t *resp, char *id,
                                size_t cap);

int hwc_keystores_list_page(const hwc_client *cl, int offset, int limit,
                            int *seen, int *total, hwc_keystore_cb *cb,
                            void *arg);
int hwc_keystores_show(const hwc_client *cl, const char *id,
                       hwc_keystore_info *info);
/* Validates alias (^[a-zA-Z0-9:/_-]{1,255}$) and that ca_pem is an X.509
 * certificate before any request. Not retried once it may have arrived. */
int hwc_keystores_create(const hwc_client *cl, const char *alias,
                         const char *hsm_cluster_id, const char *ca_pem,
                         char *id, size_t cap);
int hwc_keystores_delete(const hwc_client *cl, const char *id);
/* The checks hwc_keystores_create makes before sending anything. */
int hwc_keystore_alias_valid(const char *alias);

#endif /* HWC_KMS_KEYSTORES_H */

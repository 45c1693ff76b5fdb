/* kms.h: KMS-internal declarations shared by the KMS source files
 * (key table, request preamble, crypto operations, keystores). */
#ifndef HWC_EMU_KMS_H
#define HWC_EMU_KMS_H

#include "emu.h"

struct kms_key {
    char id[37];
    char alias[64];
    const char *spec;
    const char *usage;
    int state;
    EVP_PKEY *pkey; /* NULL for symmetric keys */
    int can_sign;   /* 0: no private key (documentation example) */
    char *pub_pem;  /* what get-publickey returns */
    char keystore_id[37];
    long long created_ms;
    long long deletion_ms;
};

/* Aliases made with the alias API (POST /kms/aliases in the real
 * service); listed by GET /kms/aliases. */
struct kms_alias {
    char alias[80]; /* "alias/..." */
    char key_id[37];
    long long created_ms;
};
size_t kms_alias_count(void);
const struct kms_alias *kms_alias_at(size_t i);

size_t kms_key_count(void);
const struct kms_key *kms_key_at(size_t i);
const struct kms_key *kms_key_find(const char *id);
json_t *kms_key_details(const struct kms_key *k);

/* Looks up body.key_id with the KMS checks; NULL with RESP set on error.
 * USABLE: also refuse keys that are not enabled. */
const struct kms_key *kms_body_key(json_t *body, struct emu_resp *resp,
                                   int usable);
void kms_error(struct emu_resp *resp, int status, const char *code,
               const char *msg);

void kms_sign(json_t *body, struct emu_resp *resp);
void kms_verify(json_t *body, struct emu_resp *resp);
void kms_decrypt(json_t *body, struct emu_resp *resp);
void kms_encrypt(json_t *body, struct emu_resp *resp);
void kms_list_keys(json_t *body, struct emu_resp *resp);
void kms_list_aliases(struct emu_req *req, struct emu_resp *resp);

const char *keystore_fixture_id(void);
int keystore_has_keys(const char *id);

#endif

/* kms_keys.c: the KMS fixture keys (named keys exported in DIR/env, the
 * documentation-example key and the extra keys for listing), their lookup
 * and their KeyDetails JSON. */
#include "kms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "kms_doc_example.h"

/* The public_key example of KMS get-publickey, byte for byte. */
static const char doc_pub[] = HWC_KMS_DOC_PUBLIC_KEY;
static const char doc_key_id[] = "bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e";

static struct kms_key *keys;
static size_t nkeys;
static struct kms_alias *aliases;
static size_t naliases;

size_t kms_alias_count(void)
{
    return naliases;
}

const struct kms_alias *kms_alias_at(size_t i)
{
    return i < naliases ? &aliases[i] : NULL;
}

static void add_alias(const char *alias, const char *key_id)
{
    aliases = realloc(aliases, (naliases + 1) * sizeof(*aliases));
    if (aliases == NULL)
        abort();
    struct kms_alias *a = &aliases[naliases++];
    snprintf(a->alias, sizeof(a->alias), "alias/%s", alias);
    snprintf(a->key_id, sizeof(a->key_id), "%s", key_id);
    a->created_ms = emu_now_ms();
}

size_t kms_key_count(void)
{
    return nkeys;
}

const struct kms_key *kms_key_at(size_t i)
{
    return i < nkeys ? &keys[i] : NULL;
}

const struct kms_key *kms_key_find(const char *id)
{
    for (size_t i = 0; i < nkeys; i++)
        if (strcmp(keys[i].id, id) == 0)
            return &keys[i];
    return NULL;
}

json_t *kms_key_details(const struct kms_key *k)
{
    char created[24], del[24], state[4];
    snprintf(created, sizeof(created), "%lld", k->created_ms);
    snprintf(del, sizeof(del), "%lld", k->deletion_ms);
    snprintf(state, sizeof(state), "%d", k->state);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
        "s:s}",
        "key_id", k->id, "domain_id", g_emu.domain_id, "key_alias", k->alias,
        "realm", g_emu.region, "key_spec", k->spec, "key_usage", k->usage,
        "key_description", "hwc-emulator fixture key", "creation_date", created,
        "scheduled_deletion_date", k->deletion_ms ? del : "", "key_state",
        state, "default_key_flag", "0", "key_type", "1", "expiration_time", "",
        "origin", "kms", "key_rotation_enabled", "false",
        "sys_enterprise_project_id", "0", "keystore_id", k->keystore_id);
}

static struct kms_key *new_key(const char *alias, const char *spec,
                               const char *usage, EVP_PKEY *pkey)
{
    keys = realloc(keys, (nkeys + 1) * sizeof(*keys));
    if (keys == NULL)
        abort();
    struct kms_key *k = &keys[nkeys++];
    memset(k, 0, sizeof(*k));
    emu_uuid(k->id);
    snprintf(k->alias, sizeof(k->alias), "%s", alias);
    k->spec = spec;
    k->usage = usage;
    k->state = 2;
    k->pkey = pkey;
    k->can_sign = pkey != NULL;
    if (pkey != NULL) {
        EVP_PKEY_up_ref(pkey);
        k->pub_pem = pki_pub_pem(pkey);
    }
    snprintf(k->keystore_id, sizeof(k->keystore_id), "0");
    k->created_ms = emu_now_ms() - 86400000LL * (long long)(nkeys % 90 + 1);
    return k;
}

static int export_key(FILE *env, const struct kms_key *k, const char *name)
{
    char envname[64], file[64];
    size_t i;
    for (i = 0; name[i] != '\0' && i < 40; i++)
        envname[i] =
            (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    envname[i] = '\0';
    fprintf(env, "EMU_KMS_%s=%s\n", envname, k->id);
    if (k->pkey == NULL)
        return 0;
    char *spki = pki_pub_pem(k->pkey);
    snprintf(file, sizeof(file), "kms-%s.pub.pem", name);
    int r = pki_write_pem(g_emu.state_dir, file, spki);
    free(spki);
    return r;
}

static EVP_PKEY *doc_pkey(void)
{
    char *b64 = emu_strdup(doc_pub + strlen("-----BEGIN PUBLIC KEY-----\r\n"));
    char *end = strstr(b64, "-----END");
    size_t o = 0;
    for (char *p = b64; p < end; p++)
        if (*p != '\r' && *p != '\n')
            b64[o++] = *p;
    b64[o] = '\0';
    size_t len;
    unsigned char *der = emu_b64_decode(b64, &len);
    const unsigned char *p = der;
    EVP_PKEY *k = der ? d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len) : NULL;
    free(der);
    free(b64);
    return k;
}

struct named {
    const char *name, *spec, *usage, *alias, *alg;
    int bits, state;
    const char *id; /* the id the docs show, or NULL (random) */
};

/* docs/ use the ids given here, so that their commands work as written
 * against the local cloud (scripts/local-cloud.sh). */
static const struct named named_keys[] = {
    {"rsa2048", "RSA_2048", "SIGN_VERIFY", "my-tls-key", "RSA", 2048, 2,
     "0228d84c-a771-4a21-acbb-6cdd53fcc8de"},
    {"rsa3072", "RSA_3072", "SIGN_VERIFY", "emu-rsa3072", "RSA", 3072, 2, NULL},
    {"rsa4096", "RSA_4096", "SIGN_VERIFY", "emu-rsa4096", "RSA", 4096, 2, NULL},
    {"ec256", "EC_P256", "SIGN_VERIFY", "emu-ec256", "EC", 256, 2,
     "16b8e4a0-c78d-4b3b-a786-874ff407ac19"},
    {"ec384", "EC_P384", "SIGN_VERIFY", "emu-ec384", "EC", 384, 2, NULL},
    {"secp256k1", "SECP256K1", "SIGN_VERIFY", "emu-secp256k1", "SECP256K1", 256,
     2, NULL},
    {"sm2", "SM2", "SIGN_VERIFY", "emu-sm2", "SM2", 256, 2, NULL},
    {"rsa2048_enc", "RSA_2048", "ENCRYPT_DECRYPT", "emu-rsa2048-enc", "RSA",
     2048, 2, NULL},
    {"disabled", "RSA_2048", "SIGN_VERIFY", "emu-disabled", "RSA", 2048, 3,
     NULL},
    {"pending_delete", "RSA_2048", "SIGN_VERIFY", "emu-pending-delete", "RSA",
     2048, 4, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL}};

static int add_named(FILE *env)
{
    for (const struct named *n = named_keys; n->name != NULL; n++) {
        /* disabled / pending keys share the RSA 2048 key material */
        const char *mat = n->state == 2 ? n->name : "rsa2048";
        char *kname = emu_printf("kms-%s", mat);
        EVP_PKEY *pk = pki_key(kname, n->alg, n->bits);
        free(kname);
        if (pk == NULL)
            return -1;
        struct kms_key *k = new_key(n->alias, n->spec, n->usage, pk);
        EVP_PKEY_free(pk);
        if (n->id != NULL)
            snprintf(k->id, sizeof(k->id), "%s", n->id);
        k->state = n->state;
        if (n->state == 4)
            k->deletion_ms = emu_now_ms() + 7 * 86400000LL;
        if (export_key(env, k, n->name) != 0)
            return -1;
    }
    fprintf(env, "EMU_KMS_ALIAS=my-tls-key\n");
    return 0;
}

static int add_special(FILE *env)
{
    struct kms_key *aes =
        new_key("emu-aes", "AES_256", "ENCRYPT_DECRYPT", NULL);
    export_key(env, aes, "aes");
    EVP_PKEY *dp = doc_pkey();
    if (dp == NULL)
        return -1;
    struct kms_key *doc =
        new_key("emu-docexample", "RSA_4096", "SIGN_VERIFY", dp);
    EVP_PKEY_free(dp);
    snprintf(doc->id, sizeof(doc->id), "%s", doc_key_id);
    free(doc->pub_pem);
    doc->pub_pem = emu_strdup(doc_pub);
    doc->can_sign = 0;
    return export_key(env, doc, "docexample");
}

static int add_extras(FILE *env)
{
    EVP_PKEY *shared = pki_key("kms-extra", "EC", 256);
    int in_keystore = 0;
    if (shared == NULL)
        return -1;
    for (int i = 0; i < g_emu.extra_keys; i++) {
        char alias[32];
        snprintf(alias, sizeof(alias), "emu-extra-%03d", i);
        struct kms_key *k =
            i % 3 == 2 ? new_key(alias, "AES_256", "ENCRYPT_DECRYPT", NULL)
                       : new_key(alias, "EC_P256", "SIGN_VERIFY", shared);
        if (i % 5 == 4)
            k->alias[0] = '\0';
        if (i % 3 == 0 && in_keystore < 3) {
            snprintf(k->keystore_id, sizeof(k->keystore_id), "%s",
                     keystore_fixture_id());
            in_keystore++;
        }
    }
    EVP_PKEY_free(shared);
    fprintf(env, "EMU_KMS_KEYSTORE_KEYS=%d\n", in_keystore);
    return 0;
}

/* One alias of the alias API for EMU_KMS_EC384 (whose key_alias differs),
 * and one per asymmetric extra key, so that the list pages. */
static void add_api_aliases(FILE *env)
{
    for (size_t i = 0; i < nkeys; i++) {
        if (strcmp(keys[i].alias, "emu-ec384") == 0) {
            add_alias("emu-api-alias", keys[i].id);
            fprintf(env, "EMU_KMS_API_ALIAS=emu-api-alias\n");
            fprintf(env, "EMU_KMS_API_ALIAS_KEY=%s\n", keys[i].id);
        } else if (strncmp(keys[i].alias, "emu-extra-", 10) == 0 &&
                   keys[i].pkey != NULL) {
            char name[40];
            snprintf(name, sizeof(name), "emu-api-%s", keys[i].alias + 10);
            add_alias(name, keys[i].id);
        }
    }
}

int kms_fixtures_init(FILE *env)
{
    if (add_named(env) != 0 || add_special(env) != 0 || add_extras(env) != 0)
        return -1;
    add_api_aliases(env);
    return 0;
}

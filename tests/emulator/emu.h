/* emu.h: shared types and declarations of hwc-emulator, the local stand-in
 * for the Huawei Cloud IAM, KMS, SCM, DCS/OBS and CodeArts Build APIs. */
#ifndef HWC_EMU_H
#define HWC_EMU_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define EMU_MAX_HDRS 8
#define EMU_MAX_BODY (1024 * 1024)

struct MHD_Connection;

enum emu_svc {
    SVC_NONE,
    SVC_IAM,
    SVC_KMS,
    SVC_SCM,
    SVC_DCS,
    SVC_CODEARTS,
    SVC_OBS,
    SVC_META
};

enum emu_auth { AUTH_NONE, AUTH_TOKEN, AUTH_AKSK };

struct emu_req {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    char *query;
    unsigned char *body;
    size_t body_len;
    size_t body_cap;
    int body_too_big;
    int https;
    enum emu_auth auth_kind; /* what the request presented */
    char project_id[33];     /* scope of the verified credentials or "" */
    json_t *flags;           /* what an SDK would not send (strict.c); logged */
};

struct emu_resp {
    int status;
    const char *ctype;
    char *body;
    size_t len;
    int nhdr;
    char *hk[EMU_MAX_HDRS];
    char *hv[EMU_MAX_HDRS];
    int truncate;
    uint64_t oversize;
    int reset;
};

struct emu_config {
    char *state_dir;
    char *cache_dir;
    long token_lifetime;
    int extra_keys;
    int extra_certs;
    int otc; /* --cloud otc: what Open Telekom Cloud's docs leave out */
    int pss_salt_max; /* --pss-salt max: PSS salt as long as possible */
    int die_with_parent;
    /* Set (release) once the fixtures are made; requests read it (acquire)
     * first, so that what the main thread made happens-before any answer
     * in ThreadSanitizer's eyes too (clients only learn the ports from the
     * env file written afterwards, an order it cannot see). */
    int ready;
    unsigned port;
    unsigned http_port;
    char region[16];
    char project_id[33];
    char domain_id[33];
    char iam_user[32];
    char iam_password[32];
    char iam_domain[32];
    char ak[32];
    char sk[48];
    char agency_name[32];
    char agency_domain[32];
    char *static_token;
    char obs_ak[32];
    char obs_secret[48];
    pthread_mutex_t lock;
};

extern struct emu_config g_emu;

/* util.c */
char *emu_strdup(const char *s);
char *emu_printf(const char *fmt, ...);
void emu_rand_hex(char *out, size_t nchars);
void emu_rand_digits(char *out, size_t nchars);
void emu_uuid(char out[37]);
char *emu_b64_encode(const unsigned char *in, size_t len);
unsigned char *emu_b64_decode(const char *in, size_t *outlen);
void emu_sha256_hex(const void *data, size_t len, char out[65]);
void emu_hex(const unsigned char *in, size_t len, char *out);
int emu_write_file(const char *path, const void *data, size_t len);
unsigned char *emu_read_file(const char *path, size_t *len);
char *emu_iso_time(time_t t);
char *emu_url_encode(const char *s);
long long emu_now_ms(void);
int emu_match_re(const char *s, const char *re);
int emu_alnum_len(const char *s, size_t len);

/* persist.c: DIR/persist, what a restart with the same DIR reuses */
int persist_open(void);
/* Start-up draws of this thread come from the seed's stream for label
 * (NULL: from the system's generator again). */
void persist_scope(const char *label);
int persist_in_scope(void);
/* Random bytes: the scope's stream, else RAND_bytes. */
void emu_random(unsigned char *buf, size_t n);
void persist_ports(unsigned *https, unsigned *http);
int persist_save_ports(unsigned https, unsigned http);
char *persist_key_path(const char *name);
X509 *persist_cert_get(EVP_PKEY *key, const char *cn, X509 *issuer,
                       EVP_PKEY *ikey, int is_ca, const char *san, int days);
void persist_cert_put(X509 *x, EVP_PKEY *key, const char *cn, X509 *issuer,
                      EVP_PKEY *ikey, int is_ca, const char *san, int days);

/* pki.c */
EVP_PKEY *pki_key(const char *name, const char *alg, int bits);
X509 *pki_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
               int is_ca, const char *san, int days);
char *pki_cert_pem(X509 *x);
unsigned char *pki_cert_der(X509 *x, size_t *len);
char *pki_key_pem(EVP_PKEY *k, const char *form);
char *pki_pub_pem(EVP_PKEY *k);
int pki_write_pem(const char *dir, const char *name, const char *pem);

/* response helpers (resp.c) */
void resp_body(struct emu_resp *r, int status, const char *ctype, char *body,
               size_t len);
void resp_json(struct emu_resp *r, int status, json_t *obj);
void resp_err(struct emu_resp *r, enum emu_svc svc, int status,
              const char *code, const char *msg);
void resp_header(struct emu_resp *r, const char *k, const char *v);
void resp_free(struct emu_resp *r);
json_t *req_json(const struct emu_req *req);
const char *req_header(const struct emu_req *req, const char *name);
const char *req_arg(const struct emu_req *req, const char *name);
int req_method_is(const struct emu_req *req, const char *m);

/* stats.c */
void stats_connection(void);
void stats_service_connection(void);
/* Around each service request (admin calls excluded). */
void stats_request_begin(void);
void stats_request_end(void);
void stats_record(const struct emu_req *req, int status);
json_t *stats_json(void);
void stats_reset(void);
void stats_clear_flags(void);

/* faults.c */
struct emu_fault {
    char action[20];
    int status;
    char *body; /* NUL-terminated; body_len bytes (a file may hold NULs) */
    size_t body_len;
    const char *ctype; /* Content-Type of a status answer (static), or NULL */
    json_t *headers;
    json_t *fields; /* nulls, drop_fields: member names */
    long delay_ms;
    uint64_t size;
};
int fault_add(json_t *spec, char *err, size_t errlen);
int fault_take(const char *method, const char *path, struct emu_fault *out);
void fault_free(struct emu_fault *f);
void faults_reset(void);
void fault_apply_pre(const struct emu_fault *f, struct emu_resp *r,
                     enum emu_svc svc);
/* Actions that change the service's own answer (nulls, drop_fields). */
int fault_is_post(const struct emu_fault *f);
void fault_apply_post(const struct emu_fault *f, struct emu_resp *r);
/* Set by the no_session_token fault until reset: the metadata service
 * is one without session tokens (its securitykey asks for none). */
extern int g_meta_tokenless;

/* strict.c: 1 with RESP set when the request's form is refused */
int strict_reject(const struct emu_req *req, struct emu_resp *resp,
                  enum emu_svc svc);
/* A new array of the request's flags (possibly empty). */
json_t *strict_flags(const struct emu_req *req, enum emu_svc svc);

/* tokens.c */
char *token_issue(const char *project_id, long lifetime, time_t *expires);
int token_add_static(const char *tok, const char *project_id);
char *token_new_static(void);
/* returns 0 valid, 1 expired, -1 unknown; project receives scope or "" */
int token_check(const char *tok, char project[33]);
void token_expire(const char *tok);
void tokens_expire_all(void);
void tokens_revive_all(void);

/* aksk.c */
int aksk_verify(const struct emu_req *req, const char *sk, char *why,
                size_t whylen);
int aksk_selftest(void);
char *aksk_temp_issue(long lifetime, char **secret, char **sectoken,
                      time_t *expires);
const char *aksk_secret_for(const char *ak, const char **sectoken,
                            time_t *expires);

/* auth.c */
int auth_check(struct emu_req *req, struct emu_resp *resp, enum emu_svc svc);
enum emu_auth auth_classify(const struct emu_req *req);

/* services: each returns after filling resp */
void iam_handle(struct emu_req *req, struct emu_resp *resp);
void kms_handle(struct emu_req *req, struct emu_resp *resp);
void keystore_handle(struct emu_req *req, struct emu_resp *resp,
                     const char *rest);
void scm_handle(struct emu_req *req, struct emu_resp *resp);
void dcs_handle(struct emu_req *req, struct emu_resp *resp);
void obs_handle(struct emu_req *req, struct emu_resp *resp);
void codearts_handle(struct emu_req *req, struct emu_resp *resp);
void metadata_handle(struct emu_req *req, struct emu_resp *resp);
void admin_handle(struct emu_req *req, struct emu_resp *resp);
void scm_admin_renew(struct emu_req *req, struct emu_resp *resp);
enum emu_svc route_service(const char *path);

/* fixtures: build in-memory data and write files; 0 on success */
int kms_fixtures_init(FILE *env);
int scm_fixtures_init(FILE *env);
int dcs_fixtures_init(FILE *env);
int keystore_fixtures_init(FILE *env);

/* server.c */
int server_start(const char *cert_pem, const char *key_pem);
void server_stop(void);

#endif

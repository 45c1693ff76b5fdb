/* main.c: command line, identity set-up, TLS material, fixture creation,
 * the DIR/env file and the signal wait of hwc-emulator. A restart with the
 * same --state-dir reuses all of it (persist.c). */
#include "emu.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct emu_config g_emu = {.token_lifetime = 86400,
                           .extra_keys = 30,
                           .extra_certs = 25,
                           .lock = PTHREAD_MUTEX_INITIALIZER};

static void usage(void)
{
    fprintf(stderr,
            "usage: hwc-emulator --state-dir DIR [--token-lifetime SECONDS]"
            " [--fixture-cache DIR] [--extra-keys N] [--extra-certs N]"
            " [--cloud huaweicloud|otc] [--pss-salt digest|max]"
            " [--die-with-parent]\n"
            "       hwc-emulator --selftest-aksk\n");
    exit(2);
}

static int parse_args(int argc, char **argv)
{
    const char *ek = getenv("HWC_EMU_EXTRA_KEYS");
    if (ek != NULL)
        g_emu.extra_keys = (int)strtol(ek, NULL, 10);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--selftest-aksk") == 0)
            exit(aksk_selftest());
        if (strcmp(a, "--die-with-parent") == 0) {
            g_emu.die_with_parent = 1;
            continue;
        }
        if (v == NULL)
            usage();
        if (strcmp(a, "--state-dir") == 0)
            g_emu.state_dir = emu_strdup(v);
        else if (strcmp(a, "--fixture-cache") == 0)
            g_emu.cache_dir = emu_strdup(v);
        else if (strcmp(a, "--token-lifetime") == 0)
            g_emu.token_lifetime = strtol(v, NULL, 10);
        else if (strcmp(a, "--extra-keys") == 0)
            g_emu.extra_keys = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--extra-certs") == 0)
            g_emu.extra_certs = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--cloud") == 0 && strcmp(v, "otc") == 0)
            g_emu.otc = 1;
        else if (strcmp(a, "--cloud") == 0 && strcmp(v, "huaweicloud") == 0)
            g_emu.otc = 0;
        else if (strcmp(a, "--pss-salt") == 0 && strcmp(v, "max") == 0)
            g_emu.pss_salt_max = 1;
        else if (strcmp(a, "--pss-salt") == 0 && strcmp(v, "digest") == 0)
            g_emu.pss_salt_max = 0;
        else
            usage();
        i++;
    }
    if (g_emu.state_dir == NULL || g_emu.token_lifetime <= 0 ||
        g_emu.extra_keys < 0 || g_emu.extra_keys > 100000 ||
        g_emu.extra_certs < 0 || g_emu.extra_certs > 5000)
        usage();
    return 0;
}

static void upper_rand(char *out, size_t n)
{
    emu_rand_hex(out, n);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)toupper((unsigned char)out[i]);
}

static void init_identity(void)
{
    char r[17];
    snprintf(g_emu.region, sizeof(g_emu.region), "eu-de");
    emu_rand_hex(g_emu.project_id, 32);
    emu_rand_hex(g_emu.domain_id, 32);
    snprintf(g_emu.iam_user, sizeof(g_emu.iam_user), "emu-user");
    emu_rand_hex(r, 16);
    snprintf(g_emu.iam_password, sizeof(g_emu.iam_password), "Pw-%s", r);
    snprintf(g_emu.iam_domain, sizeof(g_emu.iam_domain), "emu-account");
    upper_rand(g_emu.ak, 20);
    emu_rand_hex(g_emu.sk, 40);
    snprintf(g_emu.agency_name, sizeof(g_emu.agency_name), "emu-agency");
    snprintf(g_emu.agency_domain, sizeof(g_emu.agency_domain),
             "emu-delegating-account");
    upper_rand(g_emu.obs_ak, 20);
    emu_rand_hex(g_emu.obs_secret, 40);
    g_emu.static_token = token_new_static();
    token_add_static(g_emu.static_token, g_emu.project_id);
}

/* The emulator's own CA (DIR/ca.pem) and its TLS server certificate. */
static int init_tls(char **cert_pem, char **key_pem)
{
    EVP_PKEY *cak = pki_key("emu-tls-ca", "EC", 256);
    EVP_PKEY *sk = pki_key("emu-tls-server", "EC", 256);
    if (cak == NULL || sk == NULL)
        return -1;
    X509 *ca = pki_cert(cak, "hwc-emulator CA", NULL, NULL, 1, NULL, 3650);
    X509 *srv = pki_cert(sk, "127.0.0.1", ca, cak, 0,
                         "IP:127.0.0.1,DNS:localhost", 365);
    if (ca == NULL || srv == NULL)
        return -1;
    char *capem = pki_cert_pem(ca);
    int r = pki_write_pem(g_emu.state_dir, "ca.pem", capem);
    *cert_pem = pki_cert_pem(srv);
    *key_pem = pki_key_pem(sk, "pkcs8");
    free(capem);
    X509_free(ca);
    X509_free(srv);
    EVP_PKEY_free(cak);
    EVP_PKEY_free(sk);
    return r;
}

static void env_identity(FILE *env)
{
    const char *d = g_emu.state_dir;
    fprintf(env, "EMU_PID=%ld\nEMU_PORT=%u\nEMU_HTTP_PORT=%u\n", (long)getpid(),
            g_emu.port, g_emu.http_port);
    fprintf(env, "EMU_URL=https://127.0.0.1:%u\n", g_emu.port);
    fprintf(env, "EMU_HTTP_URL=http://127.0.0.1:%u\n", g_emu.http_port);
    fprintf(env, "EMU_CA=%s/ca.pem\nEMU_STATE_DIR=%s\n", d, d);
    fprintf(env, "EMU_REGION=%s\nEMU_PROJECT_ID=%s\nEMU_DOMAIN_ID=%s\n",
            g_emu.region, g_emu.project_id, g_emu.domain_id);
    fprintf(env, "EMU_TOKEN=%s\n", g_emu.static_token);
    fprintf(env, "EMU_IAM_USER=%s\nEMU_IAM_PASSWORD=%s\nEMU_IAM_DOMAIN=%s\n",
            g_emu.iam_user, g_emu.iam_password, g_emu.iam_domain);
    fprintf(env, "EMU_AK=%s\nEMU_SK=%s\n", g_emu.ak, g_emu.sk);
    fprintf(env, "EMU_AGENCY_NAME=%s\nEMU_AGENCY_DOMAIN=%s\n",
            g_emu.agency_name, g_emu.agency_domain);
    fprintf(env, "EMU_TOKEN_LIFETIME=%ld\n", g_emu.token_lifetime);
    fprintf(env, "EMU_CLOUD=%s\n", g_emu.otc ? "otc" : "huaweicloud");
}

static int write_env(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *env = open_memstream(&buf, &len);
    if (env == NULL)
        return -1;
    env_identity(env);
    /* One seeded stream per family: one family's count (--extra-keys)
     * never moves another's ids. */
    persist_scope("keystore");
    int r = keystore_fixtures_init(env);
    persist_scope("kms");
    r = r != 0 ? r : kms_fixtures_init(env);
    persist_scope("scm");
    r = r != 0 ? r : scm_fixtures_init(env);
    persist_scope("dcs");
    r = r != 0 ? r : dcs_fixtures_init(env);
    persist_scope(NULL);
    fprintf(env, "EMU_CODEARTS_DIR=%s/keystores\n", g_emu.state_dir);
    fclose(env);
    if (r == 0) {
        char *path = emu_printf("%s/env", g_emu.state_dir);
        r = emu_write_file(path, buf, len);
        free(path);
    }
    free(buf);
    return r;
}

static void prepare_dirs(void)
{
    char *ks = emu_printf("%s/keystores", g_emu.state_dir);
    mkdir(g_emu.state_dir, 0700);
    mkdir(ks, 0700);
    free(ks);
    if (g_emu.cache_dir != NULL)
        mkdir(g_emu.cache_dir, 0700);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (g_emu.die_with_parent)
        prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    prepare_dirs();
    if (persist_open() != 0) {
        fprintf(stderr, "hwc-emulator: %s/persist is unusable\n",
                g_emu.state_dir);
        return 1;
    }
    persist_scope("identity");
    init_identity();
    persist_scope("tls");
    char *cert = NULL, *key = NULL;
    int tls = init_tls(&cert, &key);
    persist_scope(NULL);
    if (tls != 0 || server_start(cert, key) != 0) {
        fprintf(stderr, "hwc-emulator: cannot start listeners\n");
        return 1;
    }
    persist_save_ports(g_emu.port, g_emu.http_port);
    if (write_env() != 0) {
        fprintf(stderr, "hwc-emulator: fixture set-up failed\n");
        server_stop();
        return 1;
    }
    __atomic_store_n(&g_emu.ready, 1, __ATOMIC_RELEASE);
    fprintf(stderr,
            "hwc-emulator: ready on https://127.0.0.1:%u and "
            "http://127.0.0.1:%u\n",
            g_emu.port, g_emu.http_port);
    int sig = 0;
    sigwait(&set, &sig);
    server_stop();
    free(cert);
    free(key);
    return 0;
}

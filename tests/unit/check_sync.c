/*
 * check_sync.c: the parts of `hwcloud-store sync` that decide what is
 * written and how: the sync configuration parser (tools/tool_syncconf.c)
 * and the all-or-nothing file set writer (tools/tool_fileset.c). The
 * binary is linked with --wrap=rename, so that a test can make the n-th
 * rename fail and watch the writer put the earlier files back.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <openssl/err.h>

#include "core/hwc.h"
#include "testutil.h"
#include "tool_sync.h"

/*------------------------------------------------------- rename failure */

static int renames, fail_rename_at = -1;

int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);

int __wrap_rename(const char *from, const char *to)
{
    if (renames++ == fail_rename_at) {
        errno = EIO;
        return -1;
    }
    return __real_rename(from, to);
}

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/check_sync.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    renames = 0;
    fail_rename_at = -1;
    ERR_clear_error();
}

static void teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *path_of(const char *name)
{
    static char p[4][128];
    static int i;

    i = (i + 1) % 4;
    snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
    return p[i];
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(path_of(name), "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* The file's content, or "(none)". */
static const char *content(const char *name)
{
    static char buf[256];
    FILE *f = fopen(path_of(name), "r");
    size_t n;

    if (f == NULL) {
        return "(none)";
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int entries_in_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.' ||
             (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0);
    }
    closedir(d);
    return n;
}

static void set3(tool_file *f, const char *a, const char *b, const char *c)
{
    const char *names[3] = {"cert.pem", "fullchain.pem", "key.pem"};
    const char *data[3] = {a, b, c};
    static const mode_t modes[3] = {0644, 0640, 0600};

    memset(f, 0, 3 * sizeof(*f));
    for (int i = 0; i < 3; i++) {
        f[i].path = path_of(names[i]);
        f[i].data = data[i];
        f[i].len = strlen(data[i]);
        f[i].mode = modes[i];
        f[i].uid = (uid_t)-1;
        f[i].gid = (gid_t)-1;
    }
}

static void assert_old_set(void)
{
    ck_assert_str_eq(content("cert.pem"), "old cert\n");
    ck_assert_str_eq(content("fullchain.pem"), "old full\n");
    ck_assert_str_eq(content("key.pem"), "old key\n");
    ck_assert_int_eq(entries_in_dir(), 3); /* no temporary file left */
}

static void put_old_set(void)
{
    put("cert.pem", "old cert\n");
    put("fullchain.pem", "old full\n");
    put("key.pem", "old key\n");
}

START_TEST(test_new_set)
{
    tool_file f[3];
    struct stat sb;
    mode_t old = umask(077);

    set3(f, "c\n", "f\n", "k\n");
    ck_assert_int_eq(tool_fileset_replace(f, 3), 1);
    umask(old);
    ck_assert_str_eq(content("cert.pem"), "c\n");
    ck_assert_str_eq(content("key.pem"), "k\n");
    ck_assert_int_eq(stat(path_of("cert.pem"), &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0644); /* whatever the umask */
    ck_assert_int_eq(stat(path_of("fullchain.pem"), &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0640);
    ck_assert_int_eq(entries_in_dir(), 3);
}
END_TEST

START_TEST(test_replace_set)
{
    tool_file f[3];

    put_old_set();
    set3(f, "new cert\n", "new full\n", "new key\n");
    ck_assert_int_eq(tool_fileset_replace(f, 3), 1);
    ck_assert_str_eq(content("cert.pem"), "new cert\n");
    ck_assert_str_eq(content("fullchain.pem"), "new full\n");
    ck_assert_str_eq(content("key.pem"), "new key\n");
    ck_assert_int_eq(entries_in_dir(), 3);
}
END_TEST

/* The third rename fails after two files were replaced: both come back. */
START_TEST(test_rename_fails_late)
{
    tool_file f[3];
    const char *err;

    put_old_set();
    set3(f, "new cert\n", "new full\n", "new key\n");
    fail_rename_at = 2;
    ck_assert_int_eq(tool_fileset_replace(f, 3), 0);
    assert_old_set();
    err = tu_errors();
    ck_assert_msg(strstr(err, "key.pem: cannot replace") != NULL, "%s", err);
}
END_TEST

/* A file that did not exist before is removed again on rollback. */
START_TEST(test_rollback_removes_new_file)
{
    tool_file f[3];

    put("fullchain.pem", "old full\n");
    put("key.pem", "old key\n");
    set3(f, "new cert\n", "new full\n", "new key\n");
    fail_rename_at = 1;
    ck_assert_int_eq(tool_fileset_replace(f, 3), 0);
    ck_assert_str_eq(content("cert.pem"), "(none)");
    ck_assert_str_eq(content("fullchain.pem"), "old full\n");
    ck_assert_int_eq(entries_in_dir(), 2);
}
END_TEST

/* A file that cannot be written stops the set before any rename. */
START_TEST(test_unwritable_member)
{
    tool_file f[3];
    const char *err;

    put_old_set();
    set3(f, "new cert\n", "new full\n", "new key\n");
    f[2].path = path_of("missing-dir/key.pem");
    ck_assert_int_eq(tool_fileset_replace(f, 3), 0);
    ck_assert_int_eq(renames, 0);
    assert_old_set();
    err = tu_errors();
    ck_assert_msg(strstr(err, "missing-dir/key.pem: cannot create") != NULL,
                  "%s", err);
}
END_TEST

START_TEST(test_owner)
{
    tool_file f[3];
    struct stat sb;

    set3(f, "c\n", "f\n", "k\n");
    f[0].uid = getuid();
    f[0].gid = getgid();
    ck_assert_int_eq(tool_fileset_replace(f, 3), 1);
    ck_assert_int_eq(stat(path_of("cert.pem"), &sb), 0);
    ck_assert_int_eq(sb.st_uid, getuid());
    ck_assert_int_eq(sb.st_gid, getgid());
}
END_TEST

/*------------------------------------------------------- configuration */

static const char *parse_fails(const char *text)
{
    sync_conf c;

    ERR_clear_error();
    ck_assert_int_eq(sync_conf_parse("t.conf", text, &c), 0);
    ck_assert_ptr_null(c.entry);
    return tu_errors();
}

#define assert_parse_error(text, want)                                         \
    do {                                                                       \
        const char *e_ = parse_fails(text);                                    \
        ck_assert_msg(strstr(e_, want) != NULL, "want \"%s\" in \"%s\"", want, \
                      e_);                                                     \
    } while (0)

START_TEST(test_conf_full)
{
    sync_conf c;
    const char *text = "# comment\n"
                       "openssl_conf = /etc/hwcloud/openssl-nginx.cnf\n"
                       "deploy_hook = systemctl reload nginx # not a comment\n"
                       "mode = 0640\n"
                       "key_mode = 0600\n"
                       "\n"
                       "[www]\n"
                       "  certificate = scm:cert/scs1690083443906\n"
                       "cert = /etc/hwcloud/www/cert.pem\r\n"
                       "fullchain = /etc/hwcloud/www/fullchain.pem\n"
                       "key = /etc/hwcloud/www/key.pem\n"
                       "fullchain_mode = 0644\n"
                       "owner = 0\n"
                       "\n"
                       "; another comment\n"
                       "[api]\n"
                       "certificate = scm:name/api-example-com\n"
                       "chain = /etc/hwcloud/api/chain.pem\n"
                       "deploy_hook =\n";

    ck_assert_int_eq(sync_conf_parse("t.conf", text, &c), 1);
    ck_assert_int_eq(c.n, 2);
    ck_assert_str_eq(c.openssl_conf, "/etc/hwcloud/openssl-nginx.cnf");
    ck_assert_str_eq(c.entry[0].name, "www");
    ck_assert_str_eq(c.entry[0].uri, "scm:cert/scs1690083443906");
    ck_assert_str_eq(c.entry[0].hook, "systemctl reload nginx # not a comment");
    ck_assert_str_eq(c.entry[0].file[SF_CERT].path,
                     "/etc/hwcloud/www/cert.pem");
    ck_assert_ptr_null(c.entry[0].file[SF_CHAIN].path);
    ck_assert_int_eq(c.entry[0].file[SF_CERT].mode, 0640);      /* top */
    ck_assert_int_eq(c.entry[0].file[SF_FULLCHAIN].mode, 0644); /* own */
    ck_assert_int_eq(c.entry[0].file[SF_KEY].mode, 0600);       /* top key_ */
    ck_assert_int_eq(c.entry[0].file[SF_CERT].uid, 0);
    ck_assert_int_eq(c.entry[0].file[SF_CERT].gid, (gid_t)-1);
    ck_assert_int_eq(c.entry[0].line, 7);
    ck_assert_str_eq(c.entry[1].uri, "scm:name/api-example-com");
    ck_assert_ptr_null(c.entry[1].hook); /* empty: none, not the top's */
    ck_assert_int_eq(c.entry[1].file[SF_CHAIN].uid, (uid_t)-1);
    sync_conf_free(&c);
}
END_TEST

START_TEST(test_conf_errors)
{
    const char *www = "[www]\ncertificate = scm:cert/scs1690083443906\n";
    char buf[512];

    assert_parse_error("", "t.conf:1: no entries");
    assert_parse_error("[www]\ncertficate = scm:cert/x\n",
                       "t.conf:2: unknown key 'certficate'");
    assert_parse_error("[www]\ncert = /a\n", "t.conf:1: [www] has no "
                                             "certificate");
    assert_parse_error("[www]\ncertificate = kms:key/x\ncert = /a\n",
                       "t.conf:2: certificate = kms:key/x");
    assert_parse_error(
        "[www]\ncertificate = kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f\n"
        "cert = /a\n",
        "give scm:cert/<id> or scm:name/<name>");
    snprintf(buf, sizeof(buf), "%scert = relative/cert.pem\n", www);
    assert_parse_error(buf, "t.conf:3: cert = relative/cert.pem: give an "
                            "absolute path");
    snprintf(buf, sizeof(buf), "%skey = /k.pem\n", www);
    assert_parse_error(buf, "t.conf:1: [www] writes no certificate file");
    snprintf(buf, sizeof(buf), "%scert = /a\nmode = 644x\n", www);
    assert_parse_error(buf, "t.conf:4: mode '644x' is not an octal mode");
    snprintf(buf, sizeof(buf), "%scert = /a\nowner = no-such-user-hwc\n", www);
    assert_parse_error(buf, "owner 'no-such-user-hwc': no such user");
    snprintf(buf, sizeof(buf), "%scert = /a\ngroup = no-such-group-hwc\n", www);
    assert_parse_error(buf, "group 'no-such-group-hwc': no such group");
    snprintf(buf, sizeof(buf), "%scert = /a\ncert = /b\n", www);
    assert_parse_error(buf, "t.conf:4: 'cert' is set twice");
    snprintf(buf, sizeof(buf), "%scert = /a\n[www]\n", www);
    assert_parse_error(buf, "t.conf:4: [www] appears twice");
    snprintf(buf, sizeof(buf), "%scert = /a\n[api]\n%schain = /a\n", www,
             "certificate = scm:cert/scs1690083443907\n");
    assert_parse_error(buf, "/a is written twice (also by [www])");
    assert_parse_error("cert = /a\n", "t.conf:1: 'cert' belongs in an entry");
    snprintf(buf, sizeof(buf), "%sopenssl_conf = /x\n", www);
    assert_parse_error(buf, "'openssl_conf' belongs at the top");
    assert_parse_error("[www\n", "t.conf:1: expected [name]");
    assert_parse_error("[]\n", "t.conf:1: a section needs a name");
    assert_parse_error("just words\n", "t.conf:1: expected key = value");
    assert_parse_error("mode =\n", "t.conf:1: 'mode' has no value");
}
END_TEST

START_TEST(test_conf_file_permissions)
{
    sync_conf c;
    const char *err;

    put("sync.conf", "[www]\ncertificate = scm:cert/scs1690083443906\n"
                     "cert = /a\n");
    ck_assert_int_eq(chmod(path_of("sync.conf"), 0664), 0);
    ck_assert_int_eq(sync_conf_load(path_of("sync.conf"), &c), 0);
    err = tu_errors();
    ck_assert_msg(strstr(err, "writable by group or others") != NULL, "%s",
                  err);
    ck_assert_int_eq(chmod(path_of("sync.conf"), 0644), 0);
    ck_assert_int_eq(sync_conf_load(path_of("sync.conf"), &c), 1);
    ck_assert_str_eq(c.path, path_of("sync.conf"));
    sync_conf_free(&c);
    ck_assert_int_eq(sync_conf_load(path_of("none.conf"), &c), 0);
    err = tu_errors();
    ck_assert_msg(strstr(err, "none.conf: No such file") != NULL, "%s", err);
}
END_TEST

static Suite *sync_suite(void)
{
    Suite *s = suite_create("sync");
    TCase *w = tcase_create("fileset");
    TCase *c = tcase_create("conf");

    tcase_add_checked_fixture(w, setup, teardown);
    tcase_add_test(w, test_new_set);
    tcase_add_test(w, test_replace_set);
    tcase_add_test(w, test_rename_fails_late);
    tcase_add_test(w, test_rollback_removes_new_file);
    tcase_add_test(w, test_unwritable_member);
    tcase_add_test(w, test_owner);
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, test_conf_full);
    tcase_add_test(c, test_conf_errors);
    tcase_add_test(c, test_conf_file_permissions);
    suite_add_tcase(s, w);
    suite_add_tcase(s, c);
    return s;
}

int main(void)
{
    return tu_run(sync_suite());
}

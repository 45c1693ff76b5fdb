/*
 * check_man.c: the SETTINGS section of hwcloud(7) (man/hwcloud.7)
 * against the provider's own table of settings, both ways: every setting
 * has an item naming its key and its HWCLOUD_* variable, every item names
 * a setting, and every HUAWEICLOUD_SDK_* variable an item names is one the
 * provider really reads for that setting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/hwc.h"
#include "core/settings.h"
#include "testutil.h"

#define MAX_ITEMS 64

/* One ".TP" item of SETTINGS: its first line, e.g.
 * \fBproject_id\fR (\fBHWCLOUD_PROJECT_ID\fR, \fBHUAWEICLOUD_SDK_PROJECT_ID\fR)
 */
typedef struct item {
    char key[64];
    char line[256];
} item;

static item items[MAX_ITEMS];
static int nitems;

/* The word in the n-th \fB...\fR of line, or "" (static buffer). */
static const char *bold(const char *line, int n)
{
    static char w[64];
    const char *p = line, *e;

    w[0] = '\0';
    for (int i = 0; (p = strstr(p, "\\fB")) != NULL; i++, p = e) {
        p += 3;
        if ((e = strstr(p, "\\fR")) == NULL || e - p >= (long)sizeof(w)) {
            return "";
        }
        if (i == n) {
            snprintf(w, sizeof(w), "%.*s", (int)(e - p), p);
            return w;
        }
    }
    return "";
}

static void load_items(void)
{
    size_t len;
    char *text = (char *)tu_read_file(tu_src_path("man/hwcloud.7"), &len);
    char *line, *save = NULL;
    int in_settings = 0, after_tp = 0;

    ck_assert_msg(text != NULL, "man/hwcloud.7 cannot be read");
    text = realloc(text, len + 1);
    text[len] = '\0';
    nitems = 0;
    for (line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, ".SH ", 4) == 0) {
            in_settings = strcmp(line, ".SH SETTINGS") == 0;
        } else if (in_settings && after_tp && nitems < MAX_ITEMS) {
            snprintf(items[nitems].key, sizeof(items[nitems].key), "%s",
                     bold(line, 0));
            snprintf(items[nitems].line, sizeof(items[nitems].line), "%s",
                     line);
            nitems++;
        }
        after_tp = in_settings && strcmp(line, ".TP") == 0;
    }
    free(text);
}

static const item *find_item(const char *key)
{
    for (int i = 0; i < nitems; i++) {
        if (strcmp(items[i].key, key) == 0) {
            return &items[i];
        }
    }
    return NULL;
}

START_TEST(test_every_setting_documented)
{
    load_items();
    for (int s = 0; s < HWC_S_COUNT; s++) {
        const char *key = hwc_setting_key(s), *env = hwc_setting_env(s);
        const item *it = find_item(key);

        ck_assert_msg(it != NULL, "hwcloud.7 SETTINGS has no item for %s", key);
        if (env != NULL) {
            ck_assert_msg(strcmp(bold(it->line, 1), env) == 0,
                          "hwcloud.7: %s should name %s first: %s", key, env,
                          it->line);
        } else {
            ck_assert_msg(strstr(it->line, "openssl.cnf only") != NULL,
                          "hwcloud.7: %s has no environment variable: %s", key,
                          it->line);
        }
    }
}
END_TEST

START_TEST(test_every_item_a_setting)
{
    load_items();
    ck_assert_int_eq(nitems, HWC_S_COUNT);
    for (int i = 0; i < nitems; i++) {
        ck_assert_msg(hwc_setting_by_key(items[i].key) >= 0,
                      "hwcloud.7 documents '%s', which is not a setting: %s",
                      items[i].key, items[i].line);
    }
}
END_TEST

/* Each HUAWEICLOUD_SDK_* named is read for its setting (and no HWCLOUD_*
 * variable hides it: the test clears the item's own first). */
START_TEST(test_sdk_variables_read)
{
    int checked = 0;

    load_items();
    for (int i = 0; i < nitems; i++) {
        const char *sdk = bold(items[i].line, 2);
        int s = hwc_setting_by_key(items[i].key);
        char var[64];
        hwc_settings *st;

        if (*sdk == '\0') {
            continue;
        }
        snprintf(var, sizeof(var), "%s", sdk);
        ck_assert_msg(strncmp(var, "HUAWEICLOUD_SDK_", 16) == 0, "%s",
                      items[i].line);
        unsetenv(hwc_setting_env(s));
        setenv(var, "x", 1);
        st = hwc_settings_new();
        ck_assert_int_eq(hwc_settings_load_env(st), 1);
        ck_assert_msg(st->src[s] == HWC_SRC_SDK_ENV &&
                          strcmp(hwc_setting_source_text(st, s), var) == 0,
                      "%s is documented for %s but not read for it", var,
                      items[i].key);
        hwc_settings_free(st);
        unsetenv(var);
        checked++;
    }
    ck_assert_int_ge(checked, 1);
}
END_TEST

static Suite *man_suite(void)
{
    Suite *s = suite_create("man");
    TCase *t = tcase_create("hwcloud.7");

    tcase_add_test(t, test_every_setting_documented);
    tcase_add_test(t, test_every_item_a_setting);
    tcase_add_test(t, test_sdk_variables_read);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(man_suite());
}

/* check_cache.c: the object cache: hits, TTL, bounds, copies, fork. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "decode.h"

static void one_obj(hwc_objs *l, const char *tag)
{
    ck_assert_int_eq(hwc_objs_add(l, HWC_OBJ_CERT, NULL,
                                  (const unsigned char *)tag, strlen(tag),
                                  "label"),
                     1);
}

START_TEST(hit_returns_copies)
{
    hwc_objs in = {0}, out = {0};
    char meta[32];

    hwc_cache_flush();
    one_obj(&in, "abc");
    hwc_cache_store("k1", 60, &in, "RSA_2048|SIGN_VERIFY");
    hwc_objs_free(&in); /* the cache holds its own copy */
    ck_assert_int_eq(hwc_cache_lookup("k1", 60, &out, meta, sizeof(meta)), 1);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_mem_eq(out.v[0].der, "abc", 3);
    ck_assert_str_eq(out.v[0].label, "label");
    ck_assert_str_eq(meta, "RSA_2048|SIGN_VERIFY");
    hwc_objs_free(&out);
    ck_assert_int_eq(hwc_cache_lookup("k2", 60, &out, NULL, 0), 0);
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(ttl_zero_disables)
{
    hwc_objs in = {0}, out = {0};

    hwc_cache_flush();
    one_obj(&in, "abc");
    hwc_cache_store("k", 0, &in, NULL);
    ck_assert_uint_eq(hwc_cache_size(), 0);
    hwc_cache_store("k", 60, &in, NULL);
    ck_assert_int_eq(hwc_cache_lookup("k", 0, &out, NULL, 0), 0);
    hwc_objs_free(&in);
}
END_TEST

START_TEST(expires)
{
    hwc_objs in = {0}, out = {0};

    hwc_cache_flush();
    one_obj(&in, "abc");
    hwc_cache_store("k", 1, &in, NULL);
    sleep(2);
    ck_assert_int_eq(hwc_cache_lookup("k", 1, &out, NULL, 0), 0);
    ck_assert_uint_eq(hwc_cache_size(), 0);
    hwc_objs_free(&in);
}
END_TEST

START_TEST(bounded)
{
    hwc_objs in = {0}, out = {0};
    char key[32];

    hwc_cache_flush();
    one_obj(&in, "abc");
    for (int i = 0; i < HWC_CACHE_MAX_ENTRIES + 50; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        hwc_cache_store(key, 60, &in, NULL);
    }
    ck_assert_uint_eq(hwc_cache_size(), HWC_CACHE_MAX_ENTRIES);
    snprintf(key, sizeof(key), "key-%d", HWC_CACHE_MAX_ENTRIES + 49);
    ck_assert_int_eq(hwc_cache_lookup(key, 60, &out, NULL, 0), 1);
    hwc_objs_free(&out);
    hwc_objs_free(&in);
    hwc_cache_flush();
}
END_TEST

START_TEST(replaces_same_key)
{
    hwc_objs a = {0}, b = {0}, out = {0};

    hwc_cache_flush();
    one_obj(&a, "old");
    one_obj(&b, "new");
    hwc_cache_store("k", 60, &a, NULL);
    hwc_cache_store("k", 60, &b, NULL);
    ck_assert_uint_eq(hwc_cache_size(), 1);
    ck_assert_int_eq(hwc_cache_lookup("k", 60, &out, NULL, 0), 1);
    ck_assert_mem_eq(out.v[0].der, "new", 3);
    hwc_objs_free(&a);
    hwc_objs_free(&b);
    hwc_objs_free(&out);
}
END_TEST

START_TEST(inherited_by_child)
{
    hwc_objs in = {0};
    pid_t pid;
    int status;

    hwc_cache_flush();
    one_obj(&in, "abc");
    hwc_cache_store("k", 60, &in, NULL);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        hwc_objs out = {0};
        _exit(hwc_cache_lookup("k", 60, &out, NULL, 0) == 1 ? 0 : 1);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    hwc_objs_free(&in);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("cache");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, hit_returns_copies);
    tcase_add_test(tc, ttl_zero_disables);
    tcase_add_test(tc, expires);
    tcase_add_test(tc, bounded);
    tcase_add_test(tc, replaces_same_key);
    tcase_add_test(tc, inherited_by_child);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

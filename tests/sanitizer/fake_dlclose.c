/*
 * fake_dlclose.c: a dlclose that does nothing, preloaded (after the ASan
 * runtime) into hosts that dlopen the hwcloud module under ASan, such as
 * the openssl binary. OpenSSL unloads provider modules at exit, before
 * LeakSanitizer reports; without the module's symbols mapped, its frames
 * print as "<unknown module>". Keeping it mapped keeps the stacks readable.
 */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}

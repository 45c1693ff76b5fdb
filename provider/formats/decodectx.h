/*
 * decodectx.h: the library context where bytes that others chose are
 * decoded (decodectx.c).
 */
#ifndef HWC_DECODECTX_H
#define HWC_DECODECTX_H

#include <openssl/types.h>

/*
 * The library context where everything that came from a service, a
 * download host or a keystore is decoded (decodectx.c): only OpenSSL's
 * default provider is loaded in it, so no other provider's decoders (the
 * PEM-wrapped URI decoder of hwcloud above all) ever run on those bytes.
 * Made on first use; NULL, with an error raised, if it cannot be made.
 * Provider instances hold it (hold at init, release at teardown); the last
 * release frees it.
 */
OSSL_LIB_CTX *hwc_decode_libctx(void);
void hwc_decode_libctx_hold(void);
void hwc_decode_libctx_release(void);

#endif /* HWC_DECODECTX_H */
